// Convergence-gated switches: after a write, wait until enough of the hosts
// that read the written key report a revision at or past the write with
// `ok`. The hosts counted are those reporting when the wait starts. After a
// failed wait puts the old value back, waitForReturn waits until the hosts
// that had applied the new value applied the old one again.
import type { Backend, LeasedWrites } from '../backends/backend.js';
import { isKeyUnder } from '../backends/keys.js';
import { hostsPath, parseHostReport, resultText, type HostReport } from './report.js';

/** --converge all | N | P% */
export type ConvergeTarget = { all: true } | { count: number } | { percent: number };

export const parseConvergeTarget = (text: string): ConvergeTarget | string => {
  if (text === 'all') return { all: true };
  const pct = /^([0-9]{1,3})%$/.exec(text);
  if (pct) {
    const p = Number(pct[1]);
    return p > 0 && p <= 100 ? { percent: p } : `${JSON.stringify(text)}: a percentage from 1% to 100%`;
  }
  if (/^[0-9]{1,6}$/.test(text) && Number(text) > 0) return { count: Number(text) };
  return `expected all, a number of hosts or a percentage (2, 50%), got ${JSON.stringify(text)}`;
};

/** How the waits poll: injectable so unit tests do not wait. */
export interface PollOptions {
  prefix: string;
  timeoutMs: number;
  intervalMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface ConvergeOptions extends PollOptions {
  target: ConvergeTarget;
}

export interface ConvergeResult {
  ok: boolean;
  /** What happened, naming each host that did not converge and why. */
  message: string;
  /** The revision waited for (absent when no host reads the key). */
  revision?: string;
  /** The hosts that applied the revision with ok, sorted. */
  applied?: string[];
}

export interface ReturnOptions extends PollOptions {
  /** The hosts that applied the value now replaced (ConvergeResult.applied). */
  hosts: readonly string[];
}

export interface ReturnResult {
  ok: boolean;
  /** Which hosts applied the value written back, and which did not and why. */
  message: string;
  revision: string;
  returned: string[];
  notReturned: string[];
}

const readReports = async (backend: Backend, prefix: string): Promise<Map<string, HostReport>> => {
  const base = hostsPath(prefix);
  const out = new Map<string, HostReport>();
  for (const [key, text] of (await backend.getValues([base])).values) {
    const report = parseHostReport(text);
    if (typeof report !== 'string') out.set(key.slice(base.length + 1), report);
  }
  return out;
};

/** The resources of a report that read `key`. */
const readersOf = (report: HostReport, key: string) => Object.entries(report.resources).filter(([, r]) => r.keys.some((k) => isKeyUnder(key, k)));

/** Why a host has not converged on `revision`, or undefined when it has. */
const lagOf = (report: HostReport | undefined, key: string, revision: bigint): string | undefined => {
  if (!report) return 'not reporting';
  for (const [name, r] of readersOf(report, key)) {
    if (r.revision === null || BigInt(r.revision) < revision) return `behind (${name} at revision ${r.revision ?? 'none'}, needs ${revision})`;
    if (r.result !== 'ok') return `${name}: ${resultText(r)}`;
  }
  return undefined;
};

const required = (target: ConvergeTarget, hosts: number): number =>
  'all' in target ? hosts : 'count' in target ? target.count : Math.ceil((target.percent * hosts) / 100);

interface Poll {
  /** Hosts at the revision with ok. */
  done: string[];
  /** "host: why" for each of the others. */
  missing: string[];
}

/** Polls the reports of `hosts` until `needed` of them are at `revision` with ok, or the time is up. */
const pollHosts = async (backend: Backend, key: string, revision: bigint, hosts: readonly string[], needed: number, options: PollOptions): Promise<Poll & { ok: boolean }> => {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = now() + options.timeoutMs;
  for (;;) {
    const reports = await readReports(backend, options.prefix);
    const lags = new Map(hosts.map((h) => [h, lagOf(reports.get(h), key, revision)]));
    const done = hosts.filter((h) => lags.get(h) === undefined);
    const ok = done.length >= needed;
    if (ok || now() >= deadline) return { ok, done, missing: hosts.filter((h) => lags.get(h) !== undefined).map((h) => `${h}: ${lags.get(h)}`) };
    await sleep(options.intervalMs ?? 250);
  }
};

export const waitForConvergence = async (backend: Backend & LeasedWrites, key: string, options: ConvergeOptions): Promise<ConvergeResult> => {
  const revision = await backend.latestRevision([key]);
  const start = await readReports(backend, options.prefix);
  const hosts = [...start].filter(([, r]) => readersOf(r, key).length > 0).map(([h]) => h).sort();
  if (hosts.length === 0) return { ok: false, message: `no reporting host reads ${key} (under ${hostsPath(options.prefix)})` };
  const needed = required(options.target, hosts.length);
  const { ok, done, missing } = await pollHosts(backend, key, BigInt(revision), hosts, needed, options);
  const applied = `${done.length}/${hosts.length} hosts applied revision ${revision}`;
  if (ok) return { ok, revision, applied: done, message: `${applied} (needed ${needed})` };
  const why = missing.length > 0 ? `not converged: ${missing.join('; ')}` : `only ${hosts.length} reporting hosts read ${key}`;
  return { ok, revision, applied: done, message: `${applied} within ${options.timeoutMs / 1000}s, needed ${needed}; ${why}` };
};

/**
 * After the previous value of `key` was written back: waits until every one
 * of `hosts` reports the revision of that write with ok.
 */
export const waitForReturn = async (backend: Backend & LeasedWrites, key: string, options: ReturnOptions): Promise<ReturnResult> => {
  const revision = await backend.latestRevision([key]);
  const hosts = [...options.hosts].sort();
  const { ok, done, missing } = await pollHosts(backend, key, BigInt(revision), hosts, hosts.length, options);
  const returned = `${done.length}/${hosts.length} hosts that had applied the new value applied revision ${revision}`;
  const names = done.length > 0 ? ` (${done.join(', ')})` : '';
  return {
    ok,
    revision,
    returned: done,
    notReturned: hosts.filter((h) => !done.includes(h)),
    message: ok ? `${returned}${names}` : `${returned}${names} within ${options.timeoutMs / 1000}s; not returned: ${missing.join('; ')}`,
  };
};
