// A simulated fleet against a real 3-member etcd cluster: 200 hosts, each a
// watch session with report-back (bench/fleet-host.ts), spread over a few
// node processes. Measures a change → every host reported it applied
// (p50/p99), what each host costs the store (watch streams, watchers, TCP
// connections, leases, writes per change), the store's CPU and memory idle
// and under changes, and the host processes' CPU and RSS.
// Run: npm run bench:fleet [-- --hosts 200 --processes 5 --changes 20]
import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Etcd3, type Watcher } from 'etcd3';
import { startEtcdCluster, type EtcdCluster } from '../test/harness/etcd-cluster.js';
import { checkFlags, intFlag } from './measure/args.js';
import { keepHistoryInTemp } from './measure/history-dir.js';
import { scrapeEtcdMetrics, startedBetween, type EtcdMetrics } from './measure/etcd-metrics.js';
import { FLEET_KEY, FLEET_KEY_DIR, FLEET_PREFIX, FLEET_REPORT_PREFIX } from './measure/fleet-layout.js';
import { cpuSeconds, rssMiB } from './measure/proc-stat.js';
import { REPO_ROOT, requireBuiltCli } from './measure/repo.js';
import { startBenchWatcher } from './measure/watcher.js';
import { ms, printTable } from './measure/stats.js';

const execFileP = promisify(execFile);
const HOST_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'fleet-host.js');
/** The whole run is bounded; past this everything is stopped and the bench fails. */
const TIME_LIMIT_MS = 15 * 60_000;
/** Idle window for the steady cost of the fleet (a full report TTL: every lease is kept alive in it). */
const IDLE_MS = 15_000;
const CONVERGE_TIMEOUT_MS = 120_000;
const HOSTS_PREFIX = `${FLEET_REPORT_PREFIX}/hosts/`;

const sleep = (n: number): Promise<void> => new Promise((r) => setTimeout(r, n));

/** Nearest-rank percentile. */
const pct = (samples: readonly number[], p: number): number => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] ?? Number.NaN;
};

interface HostProcess {
  child: ChildProcess;
  pid: number;
  ready: Promise<void>;
  output: () => string;
}

const startHostProcess = (endpoints: readonly string[], first: number, count: number, work: string): HostProcess => {
  const child = spawn(process.execPath, [HOST_SCRIPT, endpoints.join(','), String(first), String(count), work], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (/^ready \d+$/m.test(out)) resolve();
    });
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.once('close', (code) => reject(new Error(`host process ${first}..${first + count - 1} exited (${code}) before ready:\n${out.slice(-2000)}`)));
  });
  return { child, pid: child.pid ?? -1, ready, output: () => out };
};

const stopHostProcess = async (p: HostProcess): Promise<void> => {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const closed = new Promise<void>((r) => p.child.once('close', () => r()));
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 20_000);
  await closed;
  clearTimeout(timer);
};

/** Established TCP connections from these PIDs to each member's client port. */
const connections = async (cluster: EtcdCluster, pids: readonly number[]): Promise<number[]> => {
  const { stdout } = await execFileP('ss', ['-Htnp', 'state', 'established'], { maxBuffer: 64 * 1024 * 1024 });
  const lines = stdout.split('\n').filter((l) => pids.some((pid) => l.includes(`pid=${pid},`)));
  return cluster.members.map((m) => lines.filter((l) => l.split(/\s+/)[3]?.endsWith(`:${new URL(m.endpoint).port}`)).length);
};

const scrapeAll = (cluster: EtcdCluster): Promise<EtcdMetrics[]> => Promise.all(cluster.members.map((m) => scrapeEtcdMetrics(m.endpoint)));
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const startedAll = (before: EtcdMetrics[], after: EtcdMetrics[], method: string): number => sum(before.map((b, i) => startedBetween(b, after[i]!, method)));

interface Applied {
  revision: bigint;
  ok: boolean;
}

/** Follows every host's report through one watch on the hosts prefix. */
const followReports = async (client: Etcd3): Promise<{ applied: Map<string, Applied>; watcher: Watcher }> => {
  const applied = new Map<string, Applied>();
  const take = (key: string, value: string): void => {
    try {
      const doc = JSON.parse(value) as { resources: Record<string, { revision: string | null; result: string }> };
      const r = doc.resources['app.toml'];
      if (r?.revision) applied.set(key.slice(HOSTS_PREFIX.length), { revision: BigInt(r.revision), ok: r.result === 'ok' });
    } catch {
      // A report that is not JSON counts as not applied.
    }
  };
  const initial = await client.getAll().prefix(HOSTS_PREFIX).exec();
  for (const kv of initial.kvs) take(kv.key.toString(), kv.value.toString());
  const watcher = await client.watch().prefix(HOSTS_PREFIX).startRevision(String(BigInt(initial.header.revision) + 1n)).create();
  watcher.on('put', (kv) => take(kv.key.toString(), kv.value.toString()));
  watcher.on('delete', (kv) => void applied.delete(kv.key.toString().slice(HOSTS_PREFIX.length)));
  return { applied, watcher };
};

const waitUntil = async (what: string, check: () => boolean, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await sleep(5);
  }
};

/** One real `switchyard --report` daemon beside the fleet: what a host in its own process holds open. */
const cliDaemonCost = async (cluster: EtcdCluster, work: string): Promise<{ connections: number; streams: number; watchers: number; rssMiB: number }> => {
  const dir = join(work, 'cli');
  mkdirSync(join(dir, 'conf.d'), { recursive: true });
  mkdirSync(join(dir, 'templates'), { recursive: true });
  writeFileSync(join(dir, 'templates', 'app.hbs'), 'upstream app { server {{getv "/value"}}; }\n');
  writeFileSync(join(dir, 'conf.d', 'app.toml'), `[template]\nsrc = "app.hbs"\ndest = ${JSON.stringify(join(dir, 'app.conf'))}\nprefix = "${FLEET_PREFIX}"\nkeys = ["${FLEET_KEY_DIR}"]\n`);
  const before = await scrapeAll(cluster);
  const nodes = cluster.endpoints.flatMap((e) => ['--node', e]);
  const w = startBenchWatcher(['--confdir', dir, '--backend', 'etcd', ...nodes, '--report', '--host-id', 'cli-000', '--report-prefix', FLEET_REPORT_PREFIX, '--history-dir', join(dir, 'history')]);
  try {
    await w.waitForLine((l) => l.msg === 'ready; watching for changes', 'the CLI daemon ready', 120_000);
    await sleep(2_000);
    const after = await scrapeAll(cluster);
    return {
      connections: sum(await connections(cluster, [w.pid])),
      streams: sum(after.map((m) => m.watchStreams)) - sum(before.map((m) => m.watchStreams)),
      watchers: sum(after.map((m) => m.watchers)) - sum(before.map((m) => m.watchers)),
      rssMiB: rssMiB(w.pid),
    };
  } finally {
    await w.stop();
  }
};

const main = async (): Promise<void> => {
  checkFlags('npm run bench:fleet [-- --hosts 200 --processes 5 --changes 20]', ['hosts', 'processes', 'changes']);
  keepHistoryInTemp();
  requireBuiltCli();
  const HOSTS = intFlag('hosts', 200);
  const PROCESSES = intFlag('processes', 5);
  const CHANGES = intFlag('changes', 20);
  const work = mkdtempSync(join(tmpdir(), 'switchyard-bench-fleet-'));
  const rows: string[][] = [];
  const row = (what: string, value: string, note = ''): void => void rows.push([what, value, note]);
  const json: Record<string, unknown> = { hosts: HOSTS, processes: PROCESSES, changeCount: CHANGES, node: process.version, cpus: cpus().length, loadavgAtStart: loadavg() };

  console.log(`bench:fleet: starting a 3-member etcd cluster`);
  const cluster = await startEtcdCluster({ readyTimeoutMs: 60_000 });
  const client = new Etcd3({ hosts: [...cluster.endpoints] });
  const procs: HostProcess[] = [];
  let follow: { applied: Map<string, Applied>; watcher: Watcher } | undefined;
  const cleanup = async (): Promise<void> => {
    await Promise.all(procs.map(stopHostProcess));
    await follow?.watcher.cancel().catch(() => undefined);
    client.close();
    await cluster.stop();
    rmSync(work, { recursive: true, force: true });
  };
  const limit = setTimeout(() => {
    console.error(`bench:fleet: over the ${TIME_LIMIT_MS / 1000} s limit; stopping everything`);
    void cleanup().finally(() => process.exit(1));
  }, TIME_LIMIT_MS);
  const memberPids = (): number[] => cluster.members.map((m) => m.pid);
  try {
    await client.put(FLEET_KEY).value('10.0.0.1:80');
    const empty = await scrapeAll(cluster);
    const emptyRss = memberPids().map(rssMiB);
    // The cluster's own idle cost (raft heartbeats), to subtract from the fleet's.
    const baseCpu0 = memberPids().map(cpuSeconds);
    await sleep(IDLE_MS);
    const baseCpuPct = (sum(memberPids().map((pid, i) => cpuSeconds(pid) - baseCpu0[i]!)) / (IDLE_MS / 1000)) * 100;

    // Start the hosts.
    console.log(`bench:fleet: starting ${HOSTS} hosts in ${PROCESSES} processes`);
    const t0 = Date.now();
    const per = Math.ceil(HOSTS / PROCESSES);
    for (let first = 0; first < HOSTS; first += per) {
      procs.push(startHostProcess(cluster.endpoints, first, Math.min(per, HOSTS - first), join(work, `p${first}`)));
    }
    await Promise.all(procs.map((p) => p.ready));
    follow = await followReports(client);
    const applied = follow.applied;
    await waitUntil(`all ${HOSTS} hosts reporting`, () => applied.size >= HOSTS, CONVERGE_TIMEOUT_MS);
    const startupMs = Date.now() - t0;
    row('hosts started and all reporting', ms(startupMs), `${PROCESSES} processes of ${per} hosts`);

    // Steady state: what the fleet holds open on the store, and its idle cost.
    await sleep(2_000);
    const steady = await scrapeAll(cluster);
    const hostPids = procs.map((p) => p.pid);
    const conns = await connections(cluster, hostPids);
    const leases = (await cluster.etcdctl('lease', 'list')).split('\n').filter((l) => /^[0-9a-f]{16}$/.test(l.trim())).length;
    // The bench's own report watch is one stream and one watcher on one member.
    const streams = sum(steady.map((m) => m.watchStreams)) - sum(empty.map((m) => m.watchStreams)) - 1;
    const watchers = sum(steady.map((m) => m.watchers)) - sum(empty.map((m) => m.watchers)) - 1;
    const connTotal = sum(conns);
    row('watch streams on the store (all members)', String(streams), `${(streams / HOSTS).toFixed(2)} per host; etcd_debugging_mvcc_watch_stream_total`);
    row('watchers on the store (all members)', String(watchers), `${(watchers / HOSTS).toFixed(2)} per host; etcd_debugging_mvcc_watcher_total`);
    row('TCP connections hosts → store', String(connTotal), `${(connTotal / HOSTS).toFixed(2)} per host; per member ${conns.join('/')}`);
    row('leases', String(leases), `${(leases / HOSTS).toFixed(2)} per host (report TTL 15 s)`);
    // In-process hosts share gRPC's TCP connections (one pool per process): a
    // real CLI daemon, its own process, shows what one host holds.
    const cli = await cliDaemonCost(cluster, work);
    row('one real CLI daemon (--report): TCP connections', String(cli.connections), 'its own process; the simulated hosts share per process');
    row('one real CLI daemon: watch streams / watchers added', `${cli.streams} / ${cli.watchers}`, `RSS ${cli.rssMiB.toFixed(0)} MiB`);
    json['cliDaemon'] = cli;
    json['startupMs'] = startupMs;
    json['perHost'] = { watchStreams: streams / HOSTS, watchers: watchers / HOSTS, connections: connTotal / HOSTS, leases: leases / HOSTS };
    json['totals'] = { watchStreams: streams, watchers, connections: connTotal, connectionsPerMember: conns, leases };

    const idleCpu0 = memberPids().map(cpuSeconds);
    const idleHostCpu0 = hostPids.map(cpuSeconds);
    const idle0 = await scrapeAll(cluster);
    await sleep(IDLE_MS);
    const idle1 = await scrapeAll(cluster);
    const idleCpu = memberPids().map((pid, i) => cpuSeconds(pid) - idleCpu0[i]!);
    const idleHostCpu = hostPids.map((pid, i) => cpuSeconds(pid) - idleHostCpu0[i]!);
    const keepAlives = startedAll(idle0, idle1, 'LeaseKeepAlive');
    const idleStoreCpuPct = (sum(idleCpu) / (IDLE_MS / 1000)) * 100;
    row('store CPU, idle fleet (sum of members)', `${idleStoreCpuPct.toFixed(1)} % of a core`, `per member ${idleCpu.map((c) => ((c / (IDLE_MS / 1000)) * 100).toFixed(1)).join('/')} %, over ${IDLE_MS / 1000} s`);
    row('store CPU, idle empty cluster (no hosts)', `${baseCpuPct.toFixed(1)} % of a core`, 'raft heartbeats alone, before the hosts start');
    row('host processes CPU, idle', `${((sum(idleHostCpu) / (IDLE_MS / 1000)) * 100).toFixed(1)} % of a core`, `all ${PROCESSES} processes`);
    row('LeaseKeepAlive streams started while idle', String(keepAlives), 'keep-alives ride open streams');
    json['idle'] = { seconds: IDLE_MS / 1000, storeCpuPct: idleStoreCpuPct, emptyClusterCpuPct: baseCpuPct, memberCpuSeconds: idleCpu, hostCpuSeconds: idleHostCpu, leaseKeepAliveStarted: keepAlives };

    // Changes: one put, then wait until every host reported that revision (or later) with ok.
    console.log(`bench:fleet: ${CHANGES} changes, each until all ${HOSTS} hosts report it applied`);
    const cpu0 = memberPids().map(cpuSeconds);
    const hostCpu0 = hostPids.map(cpuSeconds);
    const before = await scrapeAll(cluster);
    const changesStart = Date.now();
    const samples: number[] = [];
    const firstSamples: number[] = [];
    const writes: number[] = [];
    for (let k = 1; k <= CHANGES; k++) {
      const tPut = process.hrtime.bigint();
      const res = await client.put(FLEET_KEY).value(`10.1.${k}.1:80`).exec();
      const revision = BigInt(res.header.revision);
      const done = (): number => [...applied.values()].filter((a) => a.ok && a.revision >= revision).length;
      await waitUntil(`host 1 applied revision ${revision}`, () => done() >= 1, CONVERGE_TIMEOUT_MS);
      firstSamples.push(Number(process.hrtime.bigint() - tPut) / 1e6);
      await waitUntil(`all ${HOSTS} hosts applied revision ${revision} (${done()} did)`, () => done() >= HOSTS, CONVERGE_TIMEOUT_MS);
      samples.push(Number(process.hrtime.bigint() - tPut) / 1e6);
      // Late report writes of this change land in the pause, before the next put.
      await sleep(1_000);
      const now = BigInt((await client.get(FLEET_KEY).exec()).header.revision);
      writes.push(Number(now - revision));
    }
    const changesS = (Date.now() - changesStart) / 1000;
    const after = await scrapeAll(cluster);
    const cpu = memberPids().map((pid, i) => cpuSeconds(pid) - cpu0[i]!);
    const hostCpu = hostPids.map((pid, i) => cpuSeconds(pid) - hostCpu0[i]!);
    const p50 = pct(samples, 50);
    const p99 = pct(samples, 99);
    row(`change → all ${HOSTS} reported applied`, `p50 ${ms(p50)}, p99 ${ms(p99)}`, `${CHANGES} changes; min ${ms(Math.min(...samples))}, max ${ms(Math.max(...samples))}`);
    row('change → first host reported applied', `p50 ${ms(pct(firstSamples, 50))}`, `p99 ${ms(pct(firstSamples, 99))}`);
    row('store writes per change (report puts)', `${(sum(writes) / CHANGES).toFixed(1)}`, `revisions after the change's own; ${(sum(writes) / CHANGES / HOSTS).toFixed(2)} per host`);
    row('store reads per change (Txn RPCs)', (startedAll(before, after, 'Txn') / CHANGES).toFixed(1), 'each host reads one snapshot; all members');
    row('store Put RPCs per change', (startedAll(before, after, 'Put') / CHANGES).toFixed(1), "the reports and the bench's own put; all members");
    const storeCpuPct = (sum(cpu) / changesS) * 100;
    row('store CPU during changes (sum of members)', `${sum(cpu).toFixed(1)} s`, `${storeCpuPct.toFixed(0)} % of a core over ${changesS.toFixed(0)} s; per member ${cpu.map((c) => c.toFixed(1)).join('/')} s`);
    row('store CPU per change', `${((sum(cpu) / CHANGES) * 1000).toFixed(0)} ms`, `${((sum(cpu) / CHANGES / HOSTS) * 1000).toFixed(2)} ms per host`);
    const memberRss = memberPids().map(rssMiB);
    row('store RSS per member', memberRss.map((r) => `${r.toFixed(0)}`).join('/') + ' MiB', `empty cluster: ${emptyRss.map((r) => r.toFixed(0)).join('/')} MiB`);
    const hostRss = hostPids.map(rssMiB);
    row('host processes CPU during changes', `${sum(hostCpu).toFixed(1)} s`, `per process ${hostCpu.map((c) => c.toFixed(1)).join('/')} s; ${((sum(hostCpu) / CHANGES / HOSTS) * 1000).toFixed(1)} ms per host per change`);
    row('host processes RSS', hostRss.map((r) => r.toFixed(0)).join('/') + ' MiB', `${(sum(hostRss) / HOSTS).toFixed(1)} MiB per simulated host`);
    json['changes'] = {
      allAppliedMs: { p50, p99, min: Math.min(...samples), max: Math.max(...samples), samples },
      firstAppliedMs: { p50: pct(firstSamples, 50), p99: pct(firstSamples, 99) },
      writesPerChange: sum(writes) / CHANGES,
      putPerChange: startedAll(before, after, 'Put') / CHANGES,
      txnPerChange: startedAll(before, after, 'Txn') / CHANGES,
      seconds: changesS,
      storeCpuSeconds: cpu,
      hostCpuSeconds: hostCpu,
    };
    json['memory'] = { memberRssMiB: memberRss, emptyMemberRssMiB: emptyRss, hostProcessRssMiB: hostRss };
    json['loadavgAtEnd'] = loadavg();

    console.log(`\nswitchyard fleet: ${HOSTS} simulated hosts (watch + --report) in ${PROCESSES} node processes, 3-member etcd cluster on one machine (${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}, node ${process.version})\n`);
    printTable(['measure', 'value', 'note'], rows);
    mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(REPO_ROOT, 'bench', 'results', 'fleet.json'), JSON.stringify(json, null, 2) + '\n');
    console.log('\nwrote bench/results/fleet.json');
  } finally {
    clearTimeout(limit);
    await cleanup();
  }
};

await main();
