// The whole pipeline through the CLI, against a real etcd and a real nginx:
// --onetime switches the upstream nginx serves; a value that fails `nginx -t`
// and a reload that fails leave the proxy serving the previous config.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../harness/cli.js';
import { makeConfdir, type Confdir } from '../harness/confdir.js';
import { startEtcd, type EtcdServer } from '../harness/etcd.js';
import { startHttpApp, type HttpApp } from '../harness/http-app.js';
import { startNginx, upstreamFragment, type NginxServer } from '../harness/nginx.js';

const TEMPLATE = `upstream app {
{{#if (eq (getv "/live") "blue")}}
    server {{getv "/blue/addr"}};
{{else}}
    server {{getv "/green/addr"}};
{{/if}}
}
`;

let etcd: EtcdServer;
let nginx: NginxServer;
let blue: HttpApp;
let green: HttpApp;
let conf: Confdir;
let dest: string;

const run = (...extra: string[]) =>
  runCli(['--onetime', '--confdir', conf.dir, '--backend', 'etcd', '--node', etcd.endpoint, ...extra]);
const stageFiles = () => readdirSync(dirname(dest)).filter((f) => f.includes('switchyard'));

beforeAll(async () => {
  [etcd, blue, green] = await Promise.all([startEtcd(), startHttpApp('blue'), startHttpApp('green')]);
  conf = makeConfdir();
  dest = join(conf.dir, 'live', 'upstream.conf');
  
  mkdirSync(dirname(dest));
  nginx = await startNginx({ fragmentPath: dest, fragment: upstreamFragment(blue.addr), readyBody: 'blue' });
  conf.addResource({
    name: 'app',
    template: TEMPLATE,
    fields: {
      dest,
      prefix: '/apps/web',
      keys: ['/live', '/blue', '/green'],
      check_cmd: `${process.execPath} ${BIN} check-fragment nginx --prefix ${nginx.dir} --config ${nginx.confPath} --staged {{src}} --dest {{dest}}`,
      reload_cmd: nginx.reloadCmd,
    },
  });
  await etcd.etcdctl('put', '/apps/web/blue/addr', blue.addr);
  await etcd.etcdctl('put', '/apps/web/green/addr', green.addr);
});

afterAll(async () => {
  await Promise.all([nginx?.stop(), etcd?.stop(), blue?.stop(), green?.stop()]);
});

describe('switchyard --onetime with etcd and nginx', () => {
  it('renders, checks, swaps and reloads: nginx serves the new upstream', async () => {
    await etcd.etcdctl('put', '/apps/web/live', 'green');
    const r = await run();
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(dest, 'utf8')).toContain(`server ${green.addr};`);
    await nginx.waitForBody('green');
    expect(stageFiles()).toEqual([]);

    // Nothing changed: nothing runs, still exit 0.
    const again = await run('--log-level', 'debug');
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/unchanged/);
  });

  it('leaves the old file and the serving proxy untouched when nginx -t fails', async () => {
    await etcd.etcdctl('put', '/apps/web/live', 'green');
    expect((await run()).code).toBe(0);
    const before = readFileSync(dest, 'utf8');
    // `getv` emits the value as it is; nginx -t refuses the port.
    await etcd.etcdctl('put', '/apps/web/green/addr', '127.0.0.1:notaport');
    try {
      const r = await run();
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/app\.toml: check failed/);
      expect(readFileSync(dest, 'utf8')).toBe(before);
      expect(stageFiles()).toEqual([]);
      expect((await nginx.fetch()).body).toBe('green');
    } finally {
      await etcd.etcdctl('put', '/apps/web/green/addr', green.addr);
    }
  });

  it('refuses an injected directive in a proxy-safe helper before anything is staged', async () => {
    const before = readFileSync(dest, 'utf8');
    const safe = makeConfdir([
      {
        name: 'safe',
        template: TEMPLATE.replace(/getv "\/(blue|green)\/addr"/g, 'hostPort "/$1/addr"'),
        fields: { dest, prefix: '/apps/web', keys: ['/live', '/blue', '/green'], reload_cmd: nginx.reloadCmd },
      },
    ]);
    await etcd.etcdctl('put', '/apps/web/green/addr', '127.0.0.1:9001; } server { listen 80');
    try {
      const r = await runCli(['--onetime', '--confdir', safe.dir, '--backend', 'etcd', '--node', etcd.endpoint]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/safe\.toml: render failed/);
      expect(r.stderr).toContain('/apps/web/green/addr');
      expect(readFileSync(dest, 'utf8')).toBe(before);
      expect(stageFiles()).toEqual([]);
    } finally {
      await etcd.etcdctl('put', '/apps/web/green/addr', green.addr);
    }
  });

  it('puts the previous file back when the reload fails', async () => {
    await etcd.etcdctl('put', '/apps/web/live', 'green');
    expect((await run()).code).toBe(0);
    await nginx.waitForBody('green');
    const before = readFileSync(dest, 'utf8');
    // The first reload really reloads nginx (onto blue), waits until nginx
    // serves blue, then reports failure; the reload after the rollback just
    // reloads. Only the rollback can bring green back.
    const marks = makeConfdir().dir;
    const servedBlue = join(marks, 'served-blue');
    const reloadScript = join(marks, 'reload.sh');
    writeFileSync(
      reloadScript,
      `${nginx.reloadCmd}
[ -e ${marks}/reloaded-once ] && exit 0
touch ${marks}/reloaded-once
for i in $(seq 100); do
  [ "$(curl -s http://127.0.0.1:${nginx.port}/)" = blue ] && { touch ${servedBlue}; break; }
  sleep 0.1
done
echo reload refused >&2
exit 3
`,
    );
    const failing = makeConfdir([
      {
        name: 'app',
        template: TEMPLATE,
        fields: { dest, prefix: '/apps/web', keys: ['/live', '/blue', '/green'], reload_cmd: `sh ${reloadScript}` },
      },
    ]);
    await etcd.etcdctl('put', '/apps/web/live', 'blue');
    try {
      const r = await runCli(['--onetime', '--confdir', failing.dir, '--backend', 'etcd', '--node', etcd.endpoint]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/app\.toml: reload failed/);
      expect(r.stderr).toMatch(/reload refused/);
      expect(r.stderr).toMatch(/previous file/i);
      expect(existsSync(servedBlue)).toBe(true); // the failed reload did take nginx to blue
      expect(readFileSync(dest, 'utf8')).toBe(before);
      expect(stageFiles()).toEqual([]);
      await nginx.waitForBody('green');
    } finally {
      await etcd.etcdctl('put', '/apps/web/live', 'green');
    }
  });

  it('--noop prints a diff and writes nothing', async () => {
    const before = readFileSync(dest, 'utf8');
    await etcd.etcdctl('put', '/apps/web/live', 'blue');
    try {
      const r = await run('--noop');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`-    server ${green.addr};`);
      expect(r.stdout).toContain(`+    server ${blue.addr};`);
      expect(readFileSync(dest, 'utf8')).toBe(before);
    } finally {
      await etcd.etcdctl('put', '/apps/web/live', 'green');
    }
  });

  it('exits 1 within 30 s naming the endpoint when etcd is unreachable', async () => {
    const r = await runCli(['--onetime', '--confdir', conf.dir, '--backend', 'etcd', '--node', 'http://127.0.0.1:1'], { timeoutMs: 45_000 });
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(30_000);
    expect(r.stderr).toContain('127.0.0.1:1');
    expect(r.stderr).toMatch(/app\.toml: fetch failed/);
  });
});
