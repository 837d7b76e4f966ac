// Watch mode at scale against a real etcd: 200 resources over 50 key paths.
// Measures the first round, the watch streams etcd sees, put → file latency,
// which resources a change re-renders, and a burst of writes to one key.
// Run: npm run bench:scale [-- --changes 50 --burst 500]
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Etcd3 } from 'etcd3';
import { startEtcd, type EtcdServer } from '../test/harness/etcd.js';
import { checkFlags, intFlag } from './measure/args.js';
import { keepHistoryInTemp } from './measure/history-dir.js';
import { connectionsTo } from './measure/connections.js';
import { connectEtcd, putAll } from './measure/etcd-keys.js';
import { scrapeEtcdMetrics, startedBetween, type EtcdMetrics } from './measure/etcd-metrics.js';
import { countDeltas, readRenderCounts, waitForContent } from './measure/files.js';
import { makeScaleFixture, upstreamKey, type ScaleFixture } from './measure/fixtures.js';
import { requireBuiltCli } from './measure/repo.js';
import { ms, printTable, summarize } from './measure/stats.js';
import { startBenchWatcher, type BenchWatcher } from './measure/watcher.js';

const RESOURCES = 200;
const PATHS = 50;
const TEMPLATES = 20;
/** The whole run is bounded; past this everything is stopped and the bench fails. */
const TIME_LIMIT_MS = 6 * 60_000;
/** After the last expected render, how long to watch for renders nobody asked for. */
const SETTLE_MS = 1_500;

interface Bench {
  etcd: EtcdServer;
  client: Etcd3;
  fixture: ScaleFixture;
  countDir: string;
  watcher: BenchWatcher;
}

const rows: string[][] = [];
const report = (what: string, value: string, note = ''): void => void rows.push([what, value, note]);
const sleep = (n: number): Promise<void> => new Promise((r) => setTimeout(r, n));
const elapsedMs = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e6;
const resourcesOn = (path: number): string[] =>
  Array.from({ length: RESOURCES }, (_, i) => i).filter((i) => i % PATHS === path).map((i) => `res${String(i).padStart(3, '0')}`);

const users = (path: number): number => resourcesOn(path).length;

const waitForCounts = async (b: Bench, wanted: Map<string, number>, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = readRenderCounts(b.countDir);
    if ([...wanted].every(([name, n]) => (counts.get(name) ?? 0) >= n)) return;
    if (Date.now() > deadline) throw new Error(`renders did not reach ${JSON.stringify([...wanted])} within ${timeoutMs} ms`);
    await sleep(10);
  }
};

const firstRound = async (b: Bench, before: EtcdMetrics): Promise<void> => {
  const isMsg = (msg: string) => (l: { msg: string }) => l.msg === msg;
  const starting = await b.watcher.waitForLine(isMsg('starting'), 'the start', 60_000);
  const ready = await b.watcher.waitForLine(isMsg('ready; watching for changes'), 'the first complete round', 180_000);
  const after = await scrapeEtcdMetrics(b.etcd.endpoint);
  const files = readdirSync(dirname(b.fixture.destOf(0))).length;
  const renders = [...readRenderCounts(b.countDir).values()].reduce((a, n) => a + n, 0);
  report('(a) spawn → "starting" (boot, load config, load etcd client)', ms(Date.parse(starting.time) - b.watcher.spawnedAt));
  report('(a) spawn → first complete round ("ready")', ms(Date.parse(ready.time) - b.watcher.spawnedAt), `${files} files, ${renders} reloads`);
  report('(a) "starting" → "ready" (watches + 200 renders + 200 reload_cmd)', ms(Date.parse(ready.time) - Date.parse(starting.time)));
  report('(a) etcd reads (Txn) in the first round', String(startedBetween(before, after, 'Txn')), 'one snapshot expected');
  report('(b) distinct key paths', String(PATHS));
  report('(b) watch streams open on etcd', String(after.watchStreams - before.watchStreams), 'etcd_debugging_mvcc_watch_stream_total');
  report('(b) watchers open on etcd', String(after.watchers - before.watchers), 'etcd_debugging_mvcc_watcher_total');
  report('(b) Watch RPCs started', String(startedBetween(before, after, 'Watch')), 'grpc_server_started_total{grpc_method="Watch"}');
  report('(b) TCP connections from switchyard to etcd', String(await connectionsTo(b.watcher.pid, b.etcd.clientPort)), 'ss -tnp');
};

/** The first round again without reload_cmd (--sync-only): how much of it the 200 commands take. */
const firstRoundSyncOnly = async (b: Bench): Promise<void> => {
  await b.watcher.stop();
  const watcher = startBenchWatcher(['--sync-only', '--backend', 'etcd', '--node', b.etcd.endpoint, '--confdir', b.fixture.confdir]);
  b.watcher = watcher;
  const starting = await watcher.waitForLine((l) => l.msg === 'starting', 'the start', 60_000);
  const ready = await watcher.waitForLine((l) => l.msg === 'ready; watching for changes', 'the first complete round', 180_000);
  report('(a) same, --sync-only: "starting" → "ready" (no reload_cmd)', ms(Date.parse(ready.time) - Date.parse(starting.time)));
};

const latency = async (b: Bench, changes: number): Promise<void> => {
  const start = readRenderCounts(b.countDir);
  const before = await scrapeEtcdMetrics(b.etcd.endpoint);
  const samples: number[] = [];
  const allUsers: number[] = [];
  const expected = new Map<string, number>();
  for (let k = 0; k < changes; k++) {
    const path = k % PATHS;
    const value = `10.99.${k % 250}.${Math.floor(k / 250) + 1}:${9000 + k}`;
    const users = resourcesOn(path);
    const counts = readRenderCounts(b.countDir);
    for (const u of users) expected.set(u, (expected.get(u) ?? 0) + 1);
    const t0 = process.hrtime.bigint();
    await b.client.put(upstreamKey(path, 0)).value(value);
    await waitForContent(b.fixture.destOf(path), `server ${value} `, 15_000);
    samples.push(elapsedMs(t0));
    // Let every user of the path finish before the next change, so changes do not overlap.
    await waitForCounts(b, new Map(users.map((u) => [u, (counts.get(u) ?? 0) + 1])), 15_000);
    allUsers.push(elapsedMs(t0));
  }
  await sleep(SETTLE_MS);
  const after = await scrapeEtcdMetrics(b.etcd.endpoint);
  const deltas = countDeltas(start, readRenderCounts(b.countDir));
  const s = summarize(samples);
  report(`(c) put → dest changed, ${changes} changes`, `median ${ms(s.median)}, p90 ${ms(s.p90)}`, `min ${ms(s.min)}, max ${ms(s.max)}`);
  const all = summarize(allUsers);
  report(`(c) put → all ${users(0)} users of the path reloaded`, `median ${ms(all.median)}, p90 ${ms(all.p90)}`, 'render counters polled every 10 ms');
  report('(c) etcd reads (Txn) per change', (startedBetween(before, after, 'Txn') / changes).toFixed(2), 'one snapshot per change expected');
  const total = [...deltas.values()].reduce((a, n) => a + n, 0);
  const wanted = [...expected.values()].reduce((a, n) => a + n, 0);
  const stray = [...deltas].filter(([name, n]) => n !== (expected.get(name) ?? 0));
  report('(d) renders for those changes', `${total} (expected ${wanted})`, `${resourcesOn(0).length} resources per path`);
  report('(d) resources rendered more or less than their path changed', String(stray.length), stray.slice(0, 5).map(([n, d]) => `${n}:${d}`).join(' '));
};

const burst = async (b: Bench, writes: number): Promise<void> => {
  const key = upstreamKey(0, 1);
  const users = resourcesOn(0);
  const start = readRenderCounts(b.countDir);
  const before = await scrapeEtcdMetrics(b.etcd.endpoint);
  const valueOf = (i: number): string => `10.77.${Math.floor(i / 250)}.${i % 250}:7000`;
  const finalValue = valueOf(writes - 1);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < writes; i++) await b.client.put(key).value(valueOf(i));
  const writeMs = elapsedMs(t0);
  const tWritten = process.hrtime.bigint();
  await waitForContent(b.fixture.destOf(0), `server ${finalValue} `, 60_000);
  const seenMs = elapsedMs(t0);
  const lagMs = elapsedMs(tWritten);
  await sleep(SETTLE_MS);
  const after = await scrapeEtcdMetrics(b.etcd.endpoint);
  const deltas = countDeltas(start, readRenderCounts(b.countDir));
  const perUser = users.map((u) => deltas.get(u) ?? 0);
  const others = [...deltas].filter(([name]) => !users.includes(name));
  report(`(e) ${writes} sequential puts to one key`, ms(writeMs), `${(writes / (writeMs / 1000)).toFixed(0)} puts/s`);
  report('(e) first put → final value in dest', ms(seenMs), `${ms(lagMs)} after the last put`);
  report('(e) renders of each resource on that key', perUser.join(', '), `out of ${writes} changes`);
  report('(e) etcd reads (Txn) during the burst', String(startedBetween(before, after, 'Txn')));
  report('(e) renders of resources on other keys', String(others.length));
};

const main = async (): Promise<void> => {
  checkFlags('npm run bench:scale [-- --changes 50 --burst 500]', ['changes', 'burst']);
  keepHistoryInTemp();
  requireBuiltCli();
  const changes = intFlag('changes', 50);
  const writes = intFlag('burst', 500);
  const work = mkdtempSync(join(tmpdir(), 'switchyard-bench-scale-'));
  const countDir = join(work, 'counts');
  const fixture = makeScaleFixture({ resources: RESOURCES, paths: PATHS, templates: TEMPLATES, outDir: join(work, 'out'), countDir, stampRenders: true });
  const etcd = await startEtcd();
  const client = connectEtcd(etcd.endpoint);
  let watcher: BenchWatcher | undefined;
  const cleanup = async (): Promise<void> => {
    await watcher?.stop();
    client.close();
    await etcd.stop();
    rmSync(work, { recursive: true, force: true });
    rmSync(fixture.confdir, { recursive: true, force: true });
  };
  const limit = setTimeout(() => {
    console.error(`watch-scale: over the ${TIME_LIMIT_MS / 1000} s limit; stopping everything`);
    void cleanup().finally(() => process.exit(1));
  }, TIME_LIMIT_MS);
  try {
    await putAll(client, fixture.keys);
    const before = await scrapeEtcdMetrics(etcd.endpoint);
    watcher = startBenchWatcher(['--backend', 'etcd', '--node', etcd.endpoint, '--confdir', fixture.confdir]);
    const bench: Bench = { etcd, client, fixture, countDir, watcher };
    await firstRound(bench, before);
    await latency(bench, changes);
    await burst(bench, writes);
    await firstRoundSyncOnly(bench);
    watcher = bench.watcher;
    console.log(`switchyard watch mode, ${RESOURCES} resources over ${PATHS} key paths, ${TEMPLATES} templates, real etcd (node ${process.version})\n`);
    // Stable sort: the --sync-only first round joins the other (a) rows.
    printTable(['measure', 'value', 'note'], [...rows].sort((x, y) => (x[0] ?? '').slice(0, 3).localeCompare((y[0] ?? '').slice(0, 3))));
  } finally {
    clearTimeout(limit);
    await cleanup();
  }
};

await main();
