// A randomized oracle for a fleet on a real 3-member etcd cluster: three
// watch daemons (the CLI, each given every endpoint, each reporting) render
// three templates over 50 keys while a seeded random sequence of 10,000 puts
// and deletes runs, with the leader killed and restarted three times and the
// member the daemons watch through stalled during the last writes. The
// expected files are written here from the store's final snapshot in plain
// TypeScript, not through switchyard's render path; every daemon's every
// file must equal them, and every report must show the final writes applied
// with ok. Reproduce a run with SWITCHYARD_ORACLE_SEED=<the printed seed>.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffLines } from 'diff';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWatcher, type Watcher } from '../harness/cli.js';
import { makeConfdir } from '../harness/confdir.js';
import { startEtcdCluster, type EtcdCluster, type EtcdMember } from '../harness/etcd-cluster.js';
import { sleep, waitFor } from '../harness/wait.js';

const KEYS = 50;
const OPS = 10_000;
/** Writes in flight at once; those on one key go in order, so the final state follows from the seed. */
const WINDOW = 64;
/** The leader is killed when these many ops were written, and restarted RESTART_AFTER_MS later. */
const LEADER_KILLS = [2_000, 5_000, 8_000];
/**
 * Here the member holding the most daemon watch streams is stopped (SIGSTOP):
 * the rest of the ops land while those watches stall, and it resumes only
 * after the daemons reconnected elsewhere, so they must catch up from where
 * they were, not from the store's head.
 */
const LAST_STALL = 9_900;
const RESTART_AFTER_MS = 1_500;
/** How long the daemons get to show the final snapshot after the last write (the machine is shared and loaded). */
const CONVERGE_MS = 60_000;
const PREFIX = '/oracle';
const REPORT_PREFIX = '/oracle-fleet';
const HOSTS = ['oracle-a', 'oracle-b', 'oracle-c'];

const seed = process.env['SWITCHYARD_ORACLE_SEED'] ? Number(process.env['SWITCHYARD_ORACLE_SEED']) >>> 0 : Math.floor(Math.random() * 2 ** 32) >>> 0;

/** mulberry32: small, seedable, good enough to pick keys and values. */
const prng = (s: number): (() => number) => {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
};

const pad = (i: number): string => String(i).padStart(2, '0');
const relKey = (i: number): string => `/svc/${pad(i)}`;
const fullKey = (i: number): string => `${PREFIX}${relKey(i)}`;

type Op = { kind: 'put'; key: number; value: string } | { kind: 'delete'; key: number };

const makeOps = (random: () => number): Op[] => {
  const int = (n: number): number => Math.floor(random() * n);
  return Array.from({ length: OPS }, (): Op => {
    const key = int(KEYS);
    if (random() < 0.3) return { kind: 'delete', key };
    return { kind: 'put', key, value: `10.${int(4)}.${int(256)}.${int(256)}:${8000 + int(100)}` };
  });
};

// The three templates and, beside each, what it means written out by hand.
const valuesTemplate = Array.from(
  { length: KEYS },
  (_, i) => `{{#if (exists "${relKey(i)}")}}${pad(i)} {{getv "${relKey(i)}"}}{{else}}${pad(i)} absent ({{getv "${relKey(i)}" "none"}}){{/if}}\n`,
).join('');
const expectedValues = (snap: ReadonlyMap<string, string>): string =>
  Array.from({ length: KEYS }, (_, i) => {
    const v = snap.get(fullKey(i));
    return v !== undefined ? `${pad(i)} ${v}\n` : `${pad(i)} absent (none)\n`;
  }).join('');

const rangeTemplate = '{{#each (gets "/svc/*")}}{{@index}} {{key}}={{value}}\n{{/each}}total {{len (gets "/svc/*")}}\n';
const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const expectedRange = (snap: ReadonlyMap<string, string>): string => {
  const present = [...snap].filter(([k]) => k.startsWith(`${PREFIX}/svc/`)).sort(([a], [b]) => byString(a, b));
  return present.map(([k, v], i) => `${i} ${k.slice(PREFIX.length)}=${v}\n`).join('') + `total ${present.length}\n`;
};

const upstreamTemplate = 'upstream app {\n{{#each (getvs "/svc/*")}}    server {{this}} max_fails=3;\n{{else}}    server 127.0.0.1:1 down;\n{{/each}}}\n';
const expectedUpstream = (snap: ReadonlyMap<string, string>): string => {
  const values = [...snap].filter(([k]) => k.startsWith(`${PREFIX}/svc/`)).map(([, v]) => v).sort(byString);
  const servers = values.length === 0 ? ['    server 127.0.0.1:1 down;\n'] : values.map((v) => `    server ${v} max_fails=3;\n`);
  return `upstream app {\n${servers.join('')}}\n`;
};

const RESOURCES = [
  { name: 'values', template: valuesTemplate, expected: expectedValues },
  { name: 'range', template: rangeTemplate, expected: expectedRange },
  { name: 'upstream', template: upstreamTemplate, expected: expectedUpstream },
] as const;

interface Host {
  id: string;
  dir: string;
  watcher: Watcher;
  /** Set when the daemon exits. */
  exitCode?: number | null;
}

interface ResourceReport {
  revision: string | null;
  sha256: string | null;
  result: string;
  stage?: string;
  message?: string;
}

const read = (file: string): string => (existsSync(file) ? readFileSync(file, 'utf8') : '<missing>');
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
/** Watch streams open on a member now (etcd_debugging_mvcc_watch_stream_total). */
const watchStreams = async (member: EtcdMember): Promise<number> => {
  const text = await (await fetch(`${member.endpoint}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  return Number(/^etcd_debugging_mvcc_watch_stream_total (\S+)$/m.exec(text)?.[1] ?? 0);
};

/** Hands the leadership to another member when this one leads. */
const moveLeadershipOff = async (member: EtcdMember): Promise<void> => {
  if (!(await member.isLeader())) return;
  // "8e9e05c52164694d, started, m0, http://…, http://…, false": the hex ID first, the name third.
  const rows = (await cluster.etcdctl('member', 'list')).trim().split('\n').map((l) => l.split(', '));
  const other = rows.find((r) => r[2] !== member.name && r[1] === 'started');
  if (!other) throw new Error(`no other started member to take the leadership from ${member.name}`);
  await cluster.etcdctl('move-leader', other[0]!);
};

// A call to a dead member or during an election fails soon; the test retries it and counts it.
const connect = (endpoints: readonly string[]): Etcd3 =>
  new Etcd3({ hosts: [...endpoints], defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + 3_000 }) });

let cluster: EtcdCluster;
let client: Etcd3;
let tailClient: Etcd3 | undefined;
const hosts: Host[] = [];

beforeAll(async () => {
  cluster = await startEtcdCluster();
  client = connect(cluster.endpoints);
});

afterAll(async () => {
  for (const h of hosts.splice(0)) {
    h.watcher.signal('SIGCONT');
    await h.watcher.stop();
  }
  client?.close();
  tailClient?.close();
  await cluster?.stop();
});

describe('fleet oracle on a 3-member etcd cluster', () => {
  it('10,000 random puts and deletes with leader kills: every daemon renders the final snapshot and reports it', { timeout: 300_000 }, async () => {
    console.log(`fleet oracle: seed ${seed} (rerun with SWITCHYARD_ORACLE_SEED=${seed})`);
    const ops = makeOps(prng(seed));

    for (const id of HOSTS) {
      const conf = makeConfdir();
      for (const r of RESOURCES) {
        conf.addResource({ name: r.name, template: r.template, fields: { dest: join(conf.dir, `${r.name}.out`), prefix: PREFIX, keys: ['/svc'] } });
      }
      const nodes = cluster.endpoints.flatMap((e) => ['--node', e]);
      const watcher = startWatcher([
        '--confdir', conf.dir, '--backend', 'etcd', ...nodes,
        '--report', '--host-id', id, '--report-prefix', REPORT_PREFIX, '--report-ttl', '15s',
      ]);
      const host: Host = { id, dir: conf.dir, watcher };
      void watcher.exited().then((code) => (host.exitCode = code));
      hosts.push(host);
    }
    for (const h of hosts) await h.watcher.waitFor(/ready; watching/, 60_000);

    // Writes, retried while the cluster elects a leader or a member is down.
    let retries = 0;
    let writer = client;
    let lastWriteRevision = 0n;
    const write = async (op: Op): Promise<void> => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        try {
          const res = op.kind === 'put' ? await writer.put(fullKey(op.key)).value(op.value).exec() : await writer.delete().key(fullKey(op.key)).exec();
          const rev = BigInt(res.header.revision);
          if (rev > lastWriteRevision) lastWriteRevision = rev;
          return;
        } catch (err) {
          retries += 1;
          if (Date.now() > deadline) throw new Error(`${op.kind} ${fullKey(op.key)} failed for 60 s: ${String(err)}`);
          await sleep(100);
        }
      }
    };

    const started = Date.now();
    const restarts: Promise<void>[] = [];
    const killAndRestart = async (member: EtcdMember, why: string): Promise<void> => {
      console.log(`fleet oracle: killing ${member.name} (${why}; ${Date.now() - started} ms, ${retries} retries so far)`);
      await member.kill();
      restarts.push(sleep(RESTART_AFTER_MS).then(() => member.restart()));
    };

    const kills = [...LEADER_KILLS];
    let stalled: { member: EtcdMember; streams: number; reconnectsBefore: number } | undefined;
    const reconnects = (): number => hosts.reduce((n, h) => n + h.watcher.count(/etcd watch re-established/), 0);
    const tails = new Map<number, Promise<void>>();
    const inflight = new Set<Promise<void>>();
    for (const [done, op] of ops.entries()) {
      if (kills.length > 0 && done >= kills[0]!) {
        kills.shift();
        await killAndRestart(await cluster.leader(), `leader, after ${done} ops`);
      }
      if (!stalled && done >= LAST_STALL) {
        await Promise.all(restarts);
        const counts = await Promise.all(cluster.members.map(async (m) => ({ member: m, streams: await watchStreams(m) })));
        const target = counts.sort((a, b) => b.streams - a.streams)[0]!;
        // A follower: stopping the leader would hold every write up for an election, long enough for the watches to move on.
        await moveLeadershipOff(target.member);
        console.log(`fleet oracle: stopping ${target.member.name} (${target.streams} of the daemons' watch streams; after ${done} ops)`);
        stalled = { ...target, reconnectsBefore: reconnects() };
        target.member.suspend();
        // The last ops go to the other members at once, so they land before the stalled watches give up.
        writer = tailClient = connect(cluster.endpoints.filter((e) => e !== target.member.endpoint));
      }
      while (inflight.size >= WINDOW) await Promise.race(inflight);
      const p = (tails.get(op.key) ?? Promise.resolve()).then(() => write(op));
      tails.set(op.key, p);
      inflight.add(p);
      const settle = (): void => void inflight.delete(p);
      p.then(settle, settle);
    }
    await Promise.all(inflight);
    if (stalled) {
      // Resumed only once its watches moved on (gRPC keepalive gives up on it within ~10 s), or after 45 s.
      const { member, streams, reconnectsBefore } = stalled;
      const waited = await waitFor('the stalled watches to reconnect', () => reconnects() >= reconnectsBefore + streams, 45_000).catch(() => -1);
      console.log(`fleet oracle: resuming ${member.name}; ${reconnects() - reconnectsBefore} watches re-established ${waited < 0 ? 'within 45 s (fewer than its streams)' : `in ${waited} ms`}`);
      member.resume();
    }
    const writeMs = Date.now() - started;
    await Promise.all(restarts);
    console.log(`fleet oracle: ${OPS} ops in ${writeMs} ms, ${retries} retried writes, last write at revision ${lastWriteRevision}`);

    // The final state, read once (one revision). Writes that timed out on the
    // stopped member and were retried elsewhere may still be applied late, when
    // it resumes: the snapshot is taken once the keys stopped changing for 3 s.
    const readData = async () => {
      const range = await client.getAll().prefix(`${PREFIX}/`).exec();
      return { revision: BigInt(range.header.revision), values: new Map(range.kvs.map((kv) => [kv.key.toString(), kv.value.toString()])), mod: range.kvs.reduce((m, kv) => (BigInt(kv.mod_revision) > m ? BigInt(kv.mod_revision) : m), 0n) };
    };
    const same = (a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
    let final = await readData();
    let stableSince = Date.now();
    const settleDeadline = Date.now() + 30_000;
    while (Date.now() - stableSince < 3_000 && Date.now() < settleDeadline) {
      await sleep(500);
      const next = await readData();
      if (!same(next.values, final.values) || next.mod !== final.mod) stableSince = Date.now();
      final = next;
    }
    const snapshot = final.values;
    if (final.mod > lastWriteRevision) lastWriteRevision = final.mod;
    // What the seeded ops alone say the end state is; late-applied retries make the store differ (counted, not asserted).
    const model = new Map<string, string>();
    for (const op of ops) {
      if (op.kind === 'put') model.set(fullKey(op.key), op.value);
      else model.delete(fullKey(op.key));
    }
    const late = [...new Set([...snapshot.keys(), ...model.keys()])].filter((k) => snapshot.get(k) !== model.get(k)).sort();
    console.log(`fleet oracle: snapshot at revision ${final.revision}: ${snapshot.size} keys present; ${late.length} keys differ from the ops' own end state (late-applied retries): ${late.join(' ')}`);
    const expected = new Map(RESOURCES.map((r) => [r.name, r.expected(snapshot)]));

    const reportOf = async (id: string): Promise<Record<string, ResourceReport> | undefined> => {
      const text = await client.get(`${REPORT_PREFIX}/hosts/${id}`).string();
      return text === null ? undefined : (JSON.parse(text) as { resources: Record<string, ResourceReport> }).resources;
    };
    const problems = async (): Promise<string[]> => {
      const out: string[] = [];
      for (const h of hosts) {
        if (h.exitCode !== undefined) out.push(`${h.id}: the daemon exited (${h.exitCode})`);
        const report = await reportOf(h.id).catch((err: unknown) => ({ error: String(err) }) as never);
        for (const r of RESOURCES) {
          const file = join(h.dir, `${r.name}.out`);
          const want = expected.get(r.name)!;
          const got = read(file);
          if (got !== want) out.push(`${h.id} ${r.name}.out differs from the snapshot`);
          const rr = report?.[`${r.name}.toml`];
          if (!rr) out.push(`${h.id} reports nothing for ${r.name}.toml`);
          else if (rr.result !== 'ok' || rr.revision === null || BigInt(rr.revision) < lastWriteRevision || rr.sha256 !== sha256(want)) {
            out.push(`${h.id} reports ${r.name}.toml as ${JSON.stringify(rr)}; wanted ok at revision >= ${lastWriteRevision} with sha256 ${sha256(want)}`);
          }
        }
      }
      return out;
    };

    const deadline = Date.now() + CONVERGE_MS;
    let left = await problems();
    while (left.length > 0 && Date.now() < deadline) {
      await sleep(250);
      left = await problems();
    }
    if (left.length > 0) {
      console.log(`fleet oracle: seed ${seed}: ${left.length} problems after ${CONVERGE_MS / 1000} s\n${left.join('\n')}`);
      for (const h of hosts) {
        for (const r of RESOURCES) {
          const got = read(join(h.dir, `${r.name}.out`));
          const want = expected.get(r.name)!;
          if (got === want) continue;
          const parts = diffLines(want, got).filter((p) => p.added || p.removed);
          const text = parts.map((p) => p.value.split('\n').filter(Boolean).map((l) => `${p.added ? '+' : '-'} ${l}`).join('\n')).join('\n');
          const keys = new Set<string>();
          for (const p of parts) {
            for (const line of p.value.split('\n').filter(Boolean)) {
              for (const m of line.matchAll(/(?:^|\/svc\/)(\d\d)\b/g)) keys.add(`${PREFIX}/svc/${m[1]}`);
              for (const [k, v] of snapshot) if (line.includes(` ${v} `) || line.endsWith(`=${v}`)) keys.add(k);
            }
          }
          console.log(`--- ${h.id} ${r.name}.out (- expected, + on disk); keys involved: ${[...keys].sort().join(' ')}\n${text}`);
        }
        console.log(`--- ${h.id} log tail:\n${h.watcher.output().slice(-3000)}`);
      }
    }
    expect(left).toEqual([]);
    expect(hosts.map((h) => h.exitCode)).toEqual(hosts.map(() => undefined));
  });
});
