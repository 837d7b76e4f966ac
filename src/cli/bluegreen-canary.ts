// bluegreen canary and bluegreen abort: their flags, their run, their output.
import { hostname } from 'node:os';
import type { Argv } from 'yargs';
import { hasTransactions, type Backend } from '../backends/backend.js';
import type { BlueGreenContext } from '../bluegreen/context.js';
import { abortCanary, type AbortResult } from '../canary/abort.js';
import { parseMetricsSpec, openMetricSource } from '../canary/metrics/open.js';
import { DEFAULT_EXTENSIONS, parseSteps, type CanaryOptions, type CanaryRuntime } from '../canary/options.js';
import { runCanary, type CanaryResult } from '../canary/run.js';
import { formatWeights } from '../canary/state.js';
import type { CanaryStore } from '../canary/writes.js';
import { parseTimerDuration } from '../config/duration.js';
import { ConfigError, messageOf } from '../errors.js';

export const addCanaryOptions = <T>(y: Argv<T>): Argv<T> =>
  y
    .option('steps', { type: 'string', demandOption: true, describe: "the new color's share of traffic at each step, in percent, rising to 100 (e.g. 10,50,100)" })
    .option('interval', { type: 'string', demandOption: true, describe: 'how long each step is measured (e.g. 30s)' })
    .option('max-error-rate', { type: 'number', demandOption: true, describe: "the new color's highest tolerated error rate over an interval, in percent (5xx and connection failures over requests)" })
    .option('min-requests', { type: 'number', demandOption: true, describe: 'requests the new color must answer in an interval before it is judged' })
    .option('metrics', { type: 'string', demandOption: true, describe: 'where the numbers come from: haproxy:SOCKET[:BACKEND] or nginx-log:FILE' }) as Argv<T>;

/** The store must write several keys in one transaction (etcd, consul). */
export const requireTransactions = (backend: Backend): CanaryStore => {
  if (!hasTransactions(backend)) throw new ConfigError(undefined, `needs a store with transactions (etcd or consul), not the ${backend.name} backend`, { key: 'backend' });
  return backend;
};

const numberFlag = (argv: Record<string, unknown>, flag: string, key: string, check: (n: number) => boolean, expected: string): number => {
  const v = argv[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || !check(v)) throw new ConfigError(undefined, `expected ${expected}, got ${JSON.stringify(argv[key] ?? null)}`, { key: flag });
  return v;
};

export const canaryOptionsOf = (argv: Record<string, unknown>): CanaryOptions => {
  const steps = parseSteps(String(argv['steps']));
  if (typeof steps === 'string') throw new ConfigError(undefined, steps, { key: 'steps' });
  const intervalMs = parseTimerDuration(String(argv['interval']), 100);
  if (typeof intervalMs === 'string') throw new ConfigError(undefined, intervalMs, { key: 'interval' });
  const maxErrorRatePercent = numberFlag(argv, 'max-error-rate', 'maxErrorRate', (n) => n >= 0 && n <= 100, 'a percentage from 0 to 100');
  const minRequests = numberFlag(argv, 'min-requests', 'minRequests', (n) => Number.isInteger(n) && n >= 1, 'a whole number of requests, at least 1');
  let metrics;
  try {
    metrics = parseMetricsSpec(String(argv['metrics']));
  } catch (err) {
    throw new ConfigError(undefined, messageOf(err), { key: 'metrics', cause: err });
  }
  return { steps, intervalMs, maxErrorRatePercent, minRequests, metrics, extensions: DEFAULT_EXTENSIONS };
};

/** SIGTERM and SIGINT abort the signal while the canary runs. */
const signalController = (): { signal: AbortSignal; release: () => void } => {
  const controller = new AbortController();
  const on = (sig: NodeJS.Signals) => (): void => controller.abort(sig);
  const term = on('SIGTERM');
  const int = on('SIGINT');
  process.on('SIGTERM', term);
  process.on('SIGINT', int);
  return { signal: controller.signal, release: () => (process.off('SIGTERM', term), process.off('SIGINT', int), undefined) };
};

export const runCanaryCommand = async (ctx: BlueGreenContext, argv: Record<string, unknown>, hostId: string | undefined): Promise<CanaryResult> => {
  const options = canaryOptionsOf(argv);
  const backend = requireTransactions(ctx.backend);
  const { signal, release } = signalController();
  const runtime: CanaryRuntime = {
    openMetricSource,
    signal,
    now: Date.now,
    pid: process.pid,
    host: hostId ?? hostname(),
    pollMs: Math.min(500, Math.max(50, Math.floor(options.intervalMs / 4))),
    restoreAttempts: 8,
    restoreBackoffMs: 500,
  };
  ctx.progress(
    `canary ${ctx.app}: steps ${options.steps.join(',')}, interval ${options.intervalMs / 1000}s, ` +
      `max error rate ${options.maxErrorRatePercent}%, min requests ${options.minRequests}`,
  );
  try {
    return await runCanary({ ...ctx, backend }, options, runtime);
  } finally {
    release();
  }
};

export const canarySummary = (r: CanaryResult): string => {
  const weights = r.weights === null ? 'weights cleared' : r.weights ? `weights ${formatWeights(r.weights)}` : 'weights unknown (see above)';
  if (r.ok) return `canary ok: ${r.live ?? '(unset)'} is live, ${weights}\n`;
  return `canary ${r.outcome.toUpperCase()}: ${r.error?.message ?? ''}\nlive is ${r.live ?? '(unset)'}${r.live === r.from ? ' (unchanged)' : ''}, ${weights}\n`;
};

export const runAbortCommand = (ctx: BlueGreenContext): Promise<AbortResult> => abortCanary(requireTransactions(ctx.backend), ctx.keys, ctx.app);

export const abortSummary = (r: AbortResult): string =>
  `abort ok: ${r.stopped ? `stopped the canary (${r.stopped})` : 'canary key cleared'}; live is ${r.live ?? '(unset)'} (unchanged), weights ${r.weights ? formatWeights(r.weights) : '?'}\n`;
