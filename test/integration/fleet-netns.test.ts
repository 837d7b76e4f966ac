// A fleet of three hosts with separate network stacks: each host is a
// network namespace with its own blue/green apps, nginx and switchyard
// daemon (--report), joined by a bridge to a three-member etcd cluster in the
// root namespace. The test cuts one host's link and checks what
// `bluegreen switch --converge` and `fleet status` make of it: the cut-off
// host keeps serving its last good config, a converge on all fails naming it
// and rolls back (waiting until the hosts that had applied the switch apply
// the old color again), a converge on 2 goes through, and once reconnected
// the host catches up.
//
// The apps run on each host (the same 127.0.0.1 addresses in every
// namespace, like the same units on every machine): with the apps in the
// root namespace a cut-off host could serve nothing at all. The CLI runs in
// the root namespace, where those addresses mean nothing, so switches pass
// --force (the health gate is not what this file tests).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, runCli } from '../harness/cli.js';
import { startEtcdCluster, type EtcdCluster } from '../harness/etcd-cluster.js';
import { BLUE_ADDR, GREEN_ADDR, startBlueGreenHost, type NetnsBlueGreenHost } from '../harness/netns-bluegreen-host.js';
import { createNetnsHosts, leftovers, netnsUnsupported, type NetnsNetwork } from '../harness/netns-hosts.js';

const PREFIX = '/fleetns';
const REPORTS = '/fleetns-reports';
// Long enough that the switch right after the cut still counts the cut-off
// host (its report is there when the wait starts), short enough to wait out.
const REPORT_TTL_S = 5;

let net: NetnsNetwork | undefined;
let etcd: EtcdCluster | undefined;
let hosts: NetnsBlueGreenHost[] = [];

const store = (): string[] => ['--backend', 'etcd', ...etcd!.endpoints.flatMap((e) => ['--node', e]), '--report-prefix', REPORTS];
const bluegreen = (...args: string[]) => runCli(['bluegreen', ...args, '--app', 'web', '--prefix', PREFIX, '--force', ...store()]);
const fleetText = async (): Promise<string> => (await runCli(['fleet', 'status', ...store()])).stdout;
const fleetHosts = async (): Promise<string[]> => {
  const res = await runCli(['fleet', 'status', '--json', ...store()]);
  return (JSON.parse(res.stdout) as { hosts: Array<{ host: string }> }).hosts.map((h) => h.host);
};
const live = async (): Promise<string> => (await etcd!.etcdctl('get', `${PREFIX}/web/live`, '--print-value-only')).trim();
/** The revision and result of each host's web.toml, as its report in the store says now. */
const reports = async (): Promise<Map<string, { revision: number; result: string }>> => {
  const out = await etcd!.etcdctl('get', `${REPORTS}/hosts/`, '--prefix', '--print-value-only');
  const docs = out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { host: string; resources: Record<string, { revision: string; result: string }> });
  return new Map(docs.map((d) => [d.host, { revision: Number(d.resources['web.toml']?.revision), result: d.resources['web.toml']?.result ?? 'none' }]));
};
const serving = async (h: NetnsBlueGreenHost, color: string): Promise<void> =>
  eventually(async () => (await h.serves()) === `${color} 1`, `${h.net.name} serves ${color} (last answer: ${await h.serves()})`, 15_000);

beforeAll(async () => {
  const why = await netnsUnsupported();
  if (why) throw new Error(`this test needs network namespaces (root and iproute2): ${why}`);
  net = await createNetnsHosts(3);
  etcd = await startEtcdCluster({ host: net.bridgeAddress });
  for (const [key, value] of [['live', 'blue'], ['blue/addr', BLUE_ADDR], ['green/addr', GREEN_ADDR]]) await etcd.etcdctl('put', `${PREFIX}/web/${key}`, value!);
  hosts = await Promise.all(
    net.hosts.map((h) => startBlueGreenHost(h, { prefix: `${PREFIX}/web`, etcd: etcd!.endpoints, reportPrefix: REPORTS, reportTtl: `${REPORT_TTL_S}s` })),
  );
  for (const h of hosts) await serving(h, 'blue');
  await eventually(async () => (await fleetText()).includes('3/3 hosts current'), 'three hosts report, all current');
}, 120_000);

afterAll(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
  await etcd?.stop();
  await net?.teardown();
});

describe('a fleet of network-namespace hosts', () => {
  it('converges on all; with one host cut off, a converge on all fails and rolls back, on 2 succeeds; the host catches up once reconnected', async () => {
    const [h1, h2, h3] = hosts as [NetnsBlueGreenHost, NetnsBlueGreenHost, NetnsBlueGreenHost];

    const all = await bluegreen('switch', 'green', '--converge', 'all', '--converge-timeout', '20s');
    expect(all.code, all.stdout + all.stderr).toBe(0);
    expect(all.stdout).toMatch(/3\/3 hosts applied revision \d+ \(needed 3\)/);
    expect(await fleetText()).toMatch(/\n3\/3 hosts current\n$/);
    for (const h of hosts) expect(await h.serves()).toBe('green 1');

    await h3.net.cut();
    const cut = await bluegreen('switch', 'blue', '--converge', 'all', '--converge-timeout', `${REPORT_TTL_S + 3}s`);
    expect(cut.code, cut.stdout + cut.stderr).toBe(1);
    expect(cut.stdout).toMatch(
      new RegExp(`converge failed: 2/3 hosts applied revision \\d+ within ${REPORT_TTL_S + 3}s, needed 3; not converged: host3: (not reporting|behind \\(web\\.toml at revision \\d+, needs \\d+\\));`),
    );
    const back = /live put back to green: 2\/2 hosts that had applied the new value applied revision (\d+) \(host1, host2\)/.exec(cut.stdout);
    expect(back, cut.stdout).not.toBeNull();
    // The two connected hosts reported the write-back with ok before the command exited.
    const after = await reports();
    for (const h of ['host1', 'host2']) {
      expect(after.get(h)?.result).toBe('ok');
      expect(after.get(h)?.revision).toBeGreaterThanOrEqual(Number(back![1]));
    }
    expect(await live()).toBe('green');
    for (const h of [h1, h2]) expect(await h.serves()).toBe('green 1');
    // The cut-off host keeps serving its last good config, asked from inside.
    expect(await h3.serves()).toBe('green 1');
    // Its report expires with its lease: fleet status no longer lists it.
    await eventually(async () => !(await fleetHosts()).includes('host3'), 'host3 leaves fleet status', (REPORT_TTL_S + 10) * 1000);
    expect(await fleetText()).toMatch(/\n2\/2 hosts current\n$/);

    const two = await bluegreen('switch', 'blue', '--converge', '2', '--converge-timeout', '20s');
    expect(two.code, two.stdout + two.stderr).toBe(0);
    expect(two.stdout).toMatch(/2\/2 hosts applied revision \d+ \(needed 2\)/);
    for (const h of [h1, h2]) expect(await h.serves()).toBe('blue 1');
    expect(await h3.serves()).toBe('green 1');

    await h3.net.restore();
    await serving(h3, 'blue');
    await eventually(async () => (await fleetText()).endsWith('\n3/3 hosts current\n'), 'host3 reports again, all current', 40_000);
    // About 35 s on a quiet machine; the bound is for a loaded one.
  }, 150_000);

  it('leaves no namespace, link or process behind', async () => {
    const tag = net!.tag;
    await Promise.all(hosts.splice(0).map((h) => h.stop()));
    // Stopping the hosts stopped every process inside by PID; teardown had nothing to kill.
    for (const h of net!.hosts) expect(await h.pids(), h.netns).toEqual([]);
    await net!.teardown();
    expect(await leftovers(tag)).toEqual({ netns: [], links: [] });
  });
});
