// Report-back and fleet status against a real etcd: several watch daemons
// with --report and their own --host-id, each its own dest.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, runCli, startWatcher, type Watcher } from '../harness/cli.js';
import { makeConfdir } from '../harness/confdir.js';
import { freePort } from '../harness/ports.js';
import { startEtcd, type EtcdServer } from '../harness/etcd.js';

let etcd: EtcdServer;
const watchers: Watcher[] = [];

interface StoredResource {
  revision: string | null;
  sha256: string | null;
  result: string;
  stage?: string;
  message?: string;
  time: string;
}

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** One host: its own confdir and dest, a watch daemon reporting as `host`. */
const startHost = (host: string, prefix: string, extra: { check?: string; ttl?: string; args?: string[] } = {}) => {
  const conf = makeConfdir();
  const dest = join(conf.dir, 'app.out');
  conf.addResource({
    name: 'app',
    template: 'value={{getv "/value" "none"}}\n',
    fields: { dest, prefix, keys: ['/value'], ...(extra.check ? { check_cmd: extra.check } : {}) },
  });
  const w = startWatcher([
    '--confdir', conf.dir, '--backend', 'etcd', '--node', etcd.endpoint,
    '--report', '--host-id', host, '--report-ttl', extra.ttl ?? '15s', '--report-prefix', `${prefix}-fleet`,
    ...(extra.args ?? []),
  ]);
  watchers.push(w);
  return { host, dest, watcher: w };
};

const report = async (prefix: string, host: string): Promise<{ host: string; resources: Record<string, StoredResource> } | undefined> => {
  const text = (await etcd.etcdctl('get', `${prefix}-fleet/hosts/${host}`, '--print-value-only')).trim();
  return text === '' ? undefined : (JSON.parse(text) as { host: string; resources: Record<string, StoredResource> });
};

const appliedAtLeast = async (prefix: string, host: string, revision: number): Promise<boolean> => {
  const r = (await report(prefix, host))?.resources['app.toml'];
  return r !== undefined && Number(r.revision) >= revision;
};

/** Writes a key and returns the revision of that write (other hosts' reports move the store on too). */
const put = async (key: string, value: string): Promise<number> =>
  Number((JSON.parse(await etcd.etcdctl('put', key, value, '-w', 'json')) as { header: { revision: number | string } }).header.revision);

const fleetStatus = (prefix: string, ...extra: string[]) =>
  runCli(['fleet', 'status', '--backend', 'etcd', '--node', etcd.endpoint, '--report-prefix', `${prefix}-fleet`, ...extra]);

beforeAll(async () => {
  etcd = await startEtcd();
});
afterEach(async () => {
  for (const w of watchers.splice(0)) {
    w.signal('SIGCONT');
    await w.stop();
  }
});
afterAll(async () => {
  await etcd?.stop();
});

describe('--report and fleet status with etcd', () => {
  it('each host reports the revision it applied and its dest sha256; fleet status counts who is current', async () => {
    const hosts = ['h1', 'h2', 'h3'].map((h) => startHost(h, '/f1'));
    for (const h of hosts) await h.watcher.waitFor(/ready; watching/);
    const rev = await put('/f1/value', 'one');
    for (const h of hosts) await eventually(() => appliedAtLeast('/f1', h.host, rev), `${h.host} reports revision ${rev}`);
    const applied = new Map<string, number>();
    for (const h of hosts) {
      expect(readFileSync(h.dest, 'utf8')).toBe('value=one\n');
      const r = (await report('/f1', h.host))!;
      expect(r.host).toBe(h.host);
      expect(r.resources['app.toml']).toMatchObject({ sha256: sha256(h.dest), result: 'ok' });
      applied.set(h.host, Number(r.resources['app.toml']!.revision));
    }

    const text = await fleetStatus('/f1');
    expect(text.code).toBe(0);
    expect(text.stdout.trim().split('\n').at(-1)).toBe('3/3 hosts current');
    expect(text.stdout).toMatch(new RegExp(`h2\\s+app\\.toml\\s+${applied.get('h2')}\\s+0\\s+\\S+s\\s+ok`));

    const json = await fleetStatus('/f1', '--json');
    const doc = JSON.parse(json.stdout) as { hosts: { host: string; resources: Record<string, unknown>[] }[] };
    expect(Object.keys(doc)).toEqual(['hosts']);
    expect(doc.hosts.map((h) => h.host)).toEqual(['h1', 'h2', 'h3']);
    for (const h of doc.hosts) {
      expect(Object.keys(h)).toEqual(['host', 'resources']);
      expect(h.resources).toHaveLength(1);
      expect(Object.keys(h.resources[0]!)).toEqual(['name', 'revision', 'behind', 'result', 'age_s']);
      expect(h.resources[0]).toMatchObject({ name: 'app.toml', revision: applied.get(h.host), behind: 0, result: 'ok' });
      expect(typeof h.resources[0]!['age_s']).toBe('number');
    }

    // A frozen host stays on its revision: it shows behind, the others current.
    hosts[2]!.watcher.signal('SIGSTOP');
    const rev2 = await put('/f1/value', 'two');
    for (const h of hosts.slice(0, 2)) await eventually(() => appliedAtLeast('/f1', h.host, rev2), `${h.host} reports revision ${rev2}`);
    const frozen = await fleetStatus('/f1', '--json');
    const h3 = (JSON.parse(frozen.stdout) as { hosts: { host: string; resources: { revision: number; behind: number }[] }[] }).hosts.find((h) => h.host === 'h3')!;
    expect(h3.resources[0]).toMatchObject({ revision: applied.get('h3'), behind: rev2 - applied.get('h3')! });
    expect((await fleetStatus('/f1')).stdout.trim().split('\n').at(-1)).toBe('2/3 hosts current');
    hosts[2]!.watcher.signal('SIGCONT');
    await eventually(() => appliedAtLeast('/f1', 'h3', rev2), 'h3 catches up after SIGCONT');
    expect((await fleetStatus('/f1', '--resource', 'app')).stdout.trim().split('\n').at(-1)).toBe('3/3 hosts current');
  });

  it("the status page shows the fleet: each host's rows, the failing ones marked, and how many are current", async () => {
    const port = await freePort();
    const h1 = startHost('page-1', '/f6', { args: ['--metrics-addr', `127.0.0.1:${port}`] });
    const bad = startHost('page-bad', '/f6', { check: 'sh -c "echo refused >&2; exit 3"' });
    for (const h of [h1, bad]) await h.watcher.waitFor(/ready; watching/);
    interface PageFleet {
      fleet?: { current: number; hosts: { host: string; resources: { name: string; result: string; behind: number }[] }[] };
    }
    const fleetOf = async (): Promise<PageFleet['fleet']> => ((await (await fetch(`http://127.0.0.1:${port}/status.json`)).json()) as PageFleet).fleet;
    await eventually(async () => (await fleetOf())?.hosts.length === 2, 'both hosts on the page', 20_000);
    const fleet = (await fleetOf())!;
    expect(fleet.current).toBe(1);
    expect(fleet.hosts.map((h) => [h.host, h.resources[0]?.result])).toEqual([
      ['page-1', 'ok'],
      ['page-bad', expect.stringMatching(/^check failed: .*refused/)],
    ]);
    const html = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    expect(html).toContain('<h2>Fleet</h2>');
    expect(html).toContain('1/2 hosts current');
    expect(html).toMatch(/<tr class="failing" data-host="page-bad">/);
    expect(html).toMatch(/<tr class="" data-host="page-1">/);
  });

  it('a failing check_cmd is reported as failed, with its stage and message', async () => {
    const h = startHost('bad', '/f2', { check: 'sh -c "echo refused >&2; exit 3"' });
    await h.watcher.waitFor(/ready; watching/);
    await eventually(async () => (await report('/f2', 'bad'))?.resources['app.toml']?.result === 'failed', 'the failure is reported');
    const r = (await report('/f2', 'bad'))!.resources['app.toml']!;
    expect(r.stage).toBe('check');
    expect(r.message).toMatch(/refused/);
    const status = await fleetStatus('/f2');
    expect(status.stdout).toMatch(/bad\s+app\.toml\s+\d+\s+0\s+\S+s\s+check failed: .*refused/);
    expect(status.stdout.trim().split('\n').at(-1)).toBe('0/1 hosts current');
  });

  it("a killed host's entry disappears after its TTL; a stopped one's at once", async () => {
    const killed = startHost('killed', '/f3', { ttl: '5s' });
    const stopped = startHost('stopped', '/f3', { ttl: '30s' });
    await killed.watcher.waitFor(/ready; watching/);
    await stopped.watcher.waitFor(/ready; watching/);
    await eventually(async () => (await report('/f3', 'killed')) !== undefined && (await report('/f3', 'stopped')) !== undefined, 'both report');
    killed.watcher.signal('SIGKILL');
    await killed.watcher.exited();
    // Still there right after the kill: only the lease's expiry removes it.
    expect(await report('/f3', 'killed')).toBeDefined();
    await eventually(async () => (await report('/f3', 'killed')) === undefined, 'the entry expires with its lease', 15_000);
    expect(await stopped.watcher.stop()).toBe(0);
    expect(await report('/f3', 'stopped')).toBeUndefined();
  });

  it('a host stops promptly even when the store does not answer its last report', async () => {
    const h = startHost('frozen-store', '/f4');
    await h.watcher.waitFor(/ready; watching/);
    await eventually(async () => (await report('/f4', 'frozen-store')) !== undefined, 'it reports');
    etcd.suspend();
    try {
      // stop() sends SIGKILL (exit code null) when SIGTERM is not enough within 10 s.
      expect(await h.watcher.stop()).toBe(0);
    } finally {
      etcd.resume();
    }
    expect(h.watcher.output()).toMatch(/giving the report lease up failed; the entry goes when its TTL runs out/);
  });

  it('--report with a store without leases is a usage error', async () => {
    const conf = makeConfdir();
    const data = join(conf.dir, 'data.yaml');
    const r = await runCli(['--confdir', conf.dir, '--backend', 'file', '--file', data, '--report']);
    expect(r.code).toBe(2);
    expect(r.stderr + r.stdout).toMatch(/--report needs a store with leases.*not the file backend/);
    expect(existsSync(data)).toBe(false);
  });
});
