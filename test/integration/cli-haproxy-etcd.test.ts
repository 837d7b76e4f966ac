// --onetime through the CLI with a real etcd and a real HAProxy (master-worker
// mode): the fragment is checked with `haproxy -c` in the context of the full
// configuration, swapped, and HAProxy serves the new backend after the reload.
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../harness/cli.js';
import { makeConfdir, type Confdir } from '../harness/confdir.js';
import { startEtcd, type EtcdServer } from '../harness/etcd.js';
import { backendFragment, startHaproxy } from '../harness/haproxy.js';
import { startHttpApp, type HttpApp } from '../harness/http-app.js';
import type { ProxyServer } from '../harness/proxy-process.js';

let etcd: EtcdServer;
let haproxy: ProxyServer;
let apps: HttpApp[];
let conf: Confdir;
let dest: string;

beforeAll(async () => {
  let etcdServer: EtcdServer;
  [etcdServer, ...apps] = await Promise.all([startEtcd(), startHttpApp('version-a'), startHttpApp('version-b')]);
  etcd = etcdServer;
  dest = join(mkdtempSync(join(tmpdir(), 'switchyard-haproxy-dest-')), 'backend.cfg');
  haproxy = await startHaproxy({ fragmentPath: dest, fragment: backendFragment(apps[0]!.addr), readyBody: 'version-a' });
  conf = makeConfdir([
    {
      name: 'haproxy',
      template: 'backend app\n{{#each (gets "/servers/*")}}\n    server {{base key}} {{value}} check\n{{/each}}\n',
      fields: {
        dest,
        prefix: '/lb',
        keys: ['/servers'],
        check_cmd: `${process.execPath} ${BIN} check-fragment haproxy --config ${haproxy.confPath} --config {{dest}} --staged {{src}} --dest {{dest}}`,
        reload_cmd: haproxy.reloadCmd,
      },
    },
  ]);
});

afterAll(async () => {
  await Promise.all([haproxy?.stop(), etcd?.stop(), ...(apps ?? []).map((a) => a.stop())]);
});

const run = () => runCli(['--onetime', '--confdir', conf.dir, '--backend', 'etcd', '--node', etcd.endpoint]);

describe('switchyard --onetime with etcd and HAProxy', () => {
  it('switches HAProxy to the new backend server', async () => {
    await etcd.etcdctl('put', '/lb/servers/b', apps[1]!.addr);
    const r = await run();
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(dest, 'utf8')).toContain(`server b ${apps[1]!.addr} check`);
    await haproxy.waitForBody('version-b');
  });

  it('keeps the live backend when haproxy -c refuses the fragment', async () => {
    const before = readFileSync(dest, 'utf8');
    await etcd.etcdctl('put', '/lb/servers/c', '127.0.0.1:99999');
    try {
      const r = await run();
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/haproxy\.toml: check failed/);
      expect(readFileSync(dest, 'utf8')).toBe(before);
      expect((await haproxy.fetch()).body).toBe('version-b');
    } finally {
      await etcd.etcdctl('del', '/lb/servers/c');
    }
  });
});
