// Convergence-gated switches against a real etcd: three watch daemons with
// --report (one whose check always fails, one that gets frozen), and
// bluegreen switch/toggle --converge all|N|P%.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, runCli, startWatcher, type Watcher } from '../harness/cli.js';
import { makeConfdir } from '../harness/confdir.js';
import { startEtcd, type EtcdServer } from '../harness/etcd.js';

let etcd: EtcdServer;
const watchers: Watcher[] = [];

const startHost = (host: string, check?: string) => {
  const conf = makeConfdir();
  const dest = join(conf.dir, 'web.out');
  conf.addResource({
    name: 'web',
    template: 'live={{getv "/live" "none"}}\n',
    fields: { dest, prefix: '/cv/web', keys: ['/live'], ...(check ? { check_cmd: check } : {}) },
  });
  const w = startWatcher(['--confdir', conf.dir, '--backend', 'etcd', '--node', etcd.endpoint, '--report', '--host-id', host, '--report-prefix', '/cv-fleet']);
  watchers.push(w);
  return { host, dest, watcher: w };
};

const bluegreen = (...args: string[]) =>
  runCli(['bluegreen', ...args, '--app', 'web', '--prefix', '/cv', '--force', '--backend', 'etcd', '--node', etcd.endpoint, '--report-prefix', '/cv-fleet']);

const live = async (): Promise<string> => (await etcd.etcdctl('get', '/cv/web/live', '--print-value-only')).trim();

beforeAll(async () => {
  etcd = await startEtcd();
  for (const [k, v] of [['/cv/web/live', 'blue'], ['/cv/web/blue/addr', '127.0.0.1:1'], ['/cv/web/green/addr', '127.0.0.1:2']] as const) await etcd.etcdctl('put', k, v);
});
afterAll(async () => {
  for (const w of watchers.splice(0)) {
    w.signal('SIGCONT');
    await w.stop();
  }
  await etcd?.stop();
});

describe('bluegreen --converge with etcd', () => {
  it('waits for N, P% or all reporting hosts; puts live back and names each host that did not converge', async () => {
    const h1 = startHost('h1');
    const h2 = startHost('h2');
    startHost('h3', 'sh -c "echo refused >&2; exit 4"');
    for (const w of watchers) await w.waitFor(/ready; watching/);
    await eventually(async () => (await etcd.etcdctl('get', '/cv-fleet/hosts/', '--prefix', '--keys-only')).split('\n').filter(Boolean).length === 3, 'three hosts report');

    const two = await bluegreen('switch', 'green', '--converge', '2');
    expect(two.code, two.stdout + two.stderr).toBe(0);
    expect(two.stdout).toMatch(/2\/3 hosts applied revision \d+ \(needed 2\)/);
    expect(await live()).toBe('green');
    for (const h of [h1, h2]) expect(readFileSync(h.dest, 'utf8')).toBe('live=green\n');

    const all = await bluegreen('toggle', '--converge', 'all', '--converge-timeout', '3s');
    expect(all.code).toBe(1);
    expect(all.stdout).toMatch(/converge failed: .*needed 3; not converged: h3: web\.toml: check failed: .*refused/);
    expect(all.stdout).not.toMatch(/h1:|h2:/);
    expect(await live()).toBe('green');

    h2.watcher.signal('SIGSTOP');
    const frozen = await bluegreen('toggle', '--converge', '50%', '--converge-timeout', '3s');
    expect(frozen.code).toBe(1);
    expect(frozen.stdout).toMatch(/needed 2; not converged: h2: behind \(web\.toml at revision \d+, needs \d+\); h3: web\.toml: check failed/);
    expect(await live()).toBe('green');

    const one = await bluegreen('toggle', '--converge', '1');
    expect(one.code, one.stdout + one.stderr).toBe(0);
    expect(await live()).toBe('blue');
    expect(readFileSync(h1.dest, 'utf8')).toBe('live=blue\n');
    h2.watcher.signal('SIGCONT');
    await eventually(() => readFileSync(h2.dest, 'utf8') === 'live=blue\n', 'h2 catches up');
  });

  it('a --converge target that is not all, N or P% is a usage error', async () => {
    const bad = await bluegreen('toggle', '--converge', 'most');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected all, a number of hosts or a percentage/);
  });
});
