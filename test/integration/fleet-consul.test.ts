// Report-back and fleet status against a real Consul: reports held by a
// session, the index each host applied, and a token that may not write
// reports (one warning, rendering goes on).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, runCli, startWatcher, type Watcher } from '../harness/cli.js';
import { makeConfdir } from '../harness/confdir.js';
import { startConsul, type ConsulServer } from '../harness/consul.js';

let consul: ConsulServer;
let guarded: ConsulServer;
const watchers: Watcher[] = [];

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

const startHost = (server: ConsulServer, host: string, prefix: string, env: NodeJS.ProcessEnv = {}) => {
  const conf = makeConfdir();
  const dest = join(conf.dir, 'app.out');
  conf.addResource({ name: 'app', template: 'value={{getv "/value" "none"}}\n', fields: { dest, prefix, keys: ['/value'] } });
  const w = startWatcher(['--confdir', conf.dir, '--backend', 'consul', '--node', server.address, '--report', '--host-id', host, '--report-prefix', '/fleet'], { env });
  watchers.push(w);
  return { host, dest, watcher: w };
};

const report = async (server: ConsulServer, host: string) => {
  const res = await server.http('GET', `/v1/kv/fleet/hosts/${host}?raw`);
  return res.status === 404 ? undefined : (JSON.parse(res.body) as { resources: Record<string, { revision: string; sha256: string; result: string }> });
};

/** The ModifyIndex of a key: the index a host must have applied to serve it. */
const modifyIndex = async (key: string): Promise<number> =>
  (JSON.parse((await consul.http('GET', `/v1/kv/${key}`)).body) as { ModifyIndex: number }[])[0]!.ModifyIndex;

beforeAll(async () => {
  consul = await startConsul();
  guarded = await startConsul({ acl: { defaultPolicy: 'deny', managementToken: 'b1a5e0c2-4d7e-4f00-9a55-7f1c2d3e4f50' } });
});
afterEach(async () => {
  for (const w of watchers.splice(0)) await w.stop();
});
afterAll(async () => {
  await consul?.stop();
  await guarded?.stop();
});

describe('--report and fleet status with Consul', () => {
  it('hosts report the index they applied and their sha256 under a session; a stopped host is gone at once', async () => {
    const hosts = ['c1', 'c2'].map((h) => startHost(consul, h, '/capp'));
    for (const h of hosts) await h.watcher.waitFor(/ready; watching/);
    await consul.kvPut('capp/value', 'one');
    const index = await modifyIndex('capp/value');
    for (const h of hosts) {
      await eventually(async () => Number((await report(consul, h.host))?.resources['app.toml']?.revision) >= index, `${h.host} reports index ${index}`);
      expect(readFileSync(h.dest, 'utf8')).toBe('value=one\n');
      expect((await report(consul, h.host))!.resources['app.toml']).toMatchObject({ sha256: sha256(h.dest), result: 'ok' });
    }
    // The key is held by a session with behavior "delete".
    const entry = JSON.parse((await consul.http('GET', '/v1/kv/fleet/hosts/c1')).body) as { Session?: string }[];
    expect(entry[0]!.Session).toMatch(/^[0-9a-f-]{36}$/);

    const status = await runCli(['fleet', 'status', '--backend', 'consul', '--node', consul.address, '--report-prefix', '/fleet', '--json']);
    const doc = JSON.parse(status.stdout) as { hosts: { host: string; resources: { name: string; behind: number; result: string }[] }[] };
    expect(doc.hosts.map((h) => h.host)).toEqual(['c1', 'c2']);
    for (const h of doc.hosts) expect(h.resources).toEqual([expect.objectContaining({ name: 'app.toml', behind: 0, result: 'ok' })]);

    expect(await hosts[1]!.watcher.stop()).toBe(0);
    expect(await report(consul, 'c2')).toBeUndefined();
    const text = await runCli(['fleet', 'status', '--backend', 'consul', '--node', consul.address, '--report-prefix', '/fleet']);
    expect(text.stdout.trim().split('\n').at(-1)).toBe('1/1 hosts current');
  });

  it('a token that may not write reports gives one warning; rendering goes on', async () => {
    const token = await guarded.createToken('key_prefix "gapp/" { policy = "read" }');
    const h = startHost(guarded, 'g1', '/gapp', { CONSUL_HTTP_TOKEN: token });
    await h.watcher.waitFor(/ready; watching/);
    for (let i = 1; i <= 3; i++) {
      await guarded.kvPut('gapp/value', `v${i}`);
      await eventually(() => readFileSync(h.dest, 'utf8') === `value=v${i}\n`, `v${i} rendered`);
    }
    await h.watcher.waitFor(/cannot write this host's report/);
    await new Promise((r) => setTimeout(r, 500));
    expect(h.watcher.count(/cannot write this host's report/)).toBe(1);
    expect(h.watcher.output()).toMatch(/permission denied creating a session for key .*fleet\/hosts\/g1.*the token needs session:write/);
  });
});
