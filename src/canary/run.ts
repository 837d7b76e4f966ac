// bluegreen canary: health-gate the idle color, then move traffic to it step
// by step (weights), measuring its error rate over each interval; roll back
// on a bad rate, too few requests, an abort, a signal or a failure; make it
// live after the last step.
import type { BlueGreenContext } from '../bluegreen/context.js';
import { BlueGreenError } from '../bluegreen/errors.js';
import { recordOperation, type OperationResult, type Steps } from '../bluegreen/steps.js';
import { otherColor, type Color } from '../bluegreen/types.js';
import { checkHealthNow, readAppState, requireAddr } from '../bluegreen/unit-steps.js';
import { verifyServes } from '../bluegreen/verify.js';
import { messageOf } from '../errors.js';
import { decide, type Decision } from './decide.js';
import type { MetricSource } from './metric-source.js';
import type { CanaryOptions, CanaryRuntime } from './options.js';
import { putWeightsBack } from './put-back.js';
import { canaryKeys, describeRunner, formatWeights, readCanaryView, weightsFor, type CanaryState, type Weights } from './state.js';
import { advanceCanary, claimCanary, promoteCanary, type CanaryStore } from './writes.js';

export type CanaryOutcome = 'promoted' | 'rolled-back' | 'aborted' | 'interrupted' | 'failed';

export interface CanaryStepRecord {
  step: number;
  percent: number;
  weights: Weights;
  requests?: number;
  failures?: number;
  errorRatePercent?: number;
  decision?: Decision['action'];
  reason?: string;
}

export interface CanaryResult extends OperationResult {
  outcome: CanaryOutcome;
  to?: Color;
  /** The weights left in the store: null once cleared by the promotion; absent when unknown (the store was lost). */
  weights?: Weights | null;
  canarySteps: CanaryStepRecord[];
  /** The measured rate that rolled the canary back. */
  errorRatePercent?: number;
  metrics?: string;
}

export type CanaryContext = BlueGreenContext & { backend: CanaryStore };

/** The canary was stopped from outside: its key changed (abort), or a signal. */
class Stopped extends BlueGreenError {
  constructor(
    app: string,
    readonly outcome: 'aborted' | 'interrupted',
    detail: string,
  ) {
    super(app, 'canary', detail);
  }
}

/** Store reads in a row that may fail during an interval before the store counts as lost. */
const LOST_AFTER_FAILED_READS = 3;

export const runCanary = async (ctx: CanaryContext, options: CanaryOptions, rt: CanaryRuntime): Promise<CanaryResult> => {
  const keys = canaryKeys(ctx.keys.root);
  const records: CanaryStepRecord[] = [];
  const extra: Omit<CanaryResult, keyof OperationResult> = { outcome: 'failed', canarySteps: records };
  let source: MetricSource | undefined;

  const interrupted = (): Stopped => new Stopped(ctx.app, 'interrupted', `interrupted by ${String(rt.signal.reason ?? 'a signal')}`);
  const aborted = (): Stopped => new Stopped(ctx.app, 'aborted', `aborted: ${keys.state} was changed or removed (bluegreen abort)`);

  /** The promise, or the signal's interruption if that comes first. */
  const orStop = <T>(p: Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (rt.signal.aborted) return reject(interrupted());
      const onAbort = (): void => reject(interrupted());
      rt.signal.addEventListener('abort', onAbort, { once: true });
      p.then(
        (v) => (rt.signal.removeEventListener('abort', onAbort), resolve(v)),
        (e: unknown) => (rt.signal.removeEventListener('abort', onAbort), reject(e)),
      );
    });

  const body = async (steps: Steps, setMine: (raw: string | undefined) => void, getMine: () => string | undefined): Promise<void> => {
    const state = await readAppState(ctx, steps);
    if (!state.live) throw new BlueGreenError(ctx.app, 'read', `${ctx.keys.live} is not set; use switch COLOR first`);
    const from = state.live;
    const to = otherColor(from);
    extra.to = to;
    requireAddr(ctx, state, from);
    requireAddr(ctx, state, to);
    const addrs = { blue: state.addr.blue ?? '', green: state.addr.green ?? '' };
    const running = await steps.run('read', `read ${keys.state}`, () => readCanaryView(ctx.backend, ctx.keys.root));
    if (running.state) throw new BlueGreenError(ctx.app, 'canary', `a canary is already running: ${describeRunner(running.state)}`);
    if (running.error) throw new BlueGreenError(ctx.app, 'canary', `${running.error}; clear it with bluegreen abort`);
    await checkHealthNow(ctx, steps, state, to);
    source = await steps.run('metrics', `open the metric source`, () => rt.openMetricSource(options.metrics, addrs));
    extra.metrics = source.description;
    steps.note(`metrics from ${source.description}`);

    const startedAt = new Date(rt.now()).toISOString();
    let current: CanaryState | undefined;

    const writeStep = async (index: number): Promise<void> => {
      const percent = options.steps[index]!;
      const next: CanaryState = {
        from,
        to,
        steps: options.steps,
        step: index + 1,
        weights: weightsFor(to, percent),
        startedAt,
        stepStartedAt: new Date(rt.now()).toISOString(),
        pid: rt.pid,
        host: rt.host,
        ...(current?.last ? { last: current.last } : {}),
      };
      const mine = getMine();
      const ok = await steps.run('weights', `step ${next.step}/${options.steps.length}: weights ${formatWeights(next.weights)}`, async () => {
        const written = mine === undefined ? await claimCanary(ctx.backend, ctx.keys, next) : await advanceCanary(ctx.backend, ctx.keys, mine, next);
        if (!written && mine === undefined) {
          const other = await readCanaryView(ctx.backend, ctx.keys.root);
          throw new BlueGreenError(ctx.app, 'canary', `a canary is already running: ${other.state ? describeRunner(other.state) : 'another runner claimed the key first'}`);
        }
        return written;
      });
      if (!ok) throw aborted();
      setMine(JSON.stringify(next));
      current = next;
      extra.weights = next.weights;
    };

    /** Waits ms, re-reading the canary key: an abort or a signal ends the wait; a store that stays unreadable fails it. */
    const hold = async (ms: number): Promise<void> => {
      const end = rt.now() + ms;
      let failed = 0;
      for (;;) {
        if (rt.signal.aborted) throw interrupted();
        try {
          const view = await orStop(readCanaryView(ctx.backend, ctx.keys.root));
          failed = 0;
          if (view.raw !== getMine()) throw aborted();
        } catch (err) {
          if (err instanceof BlueGreenError) throw err;
          failed += 1;
          if (failed >= LOST_AFTER_FAILED_READS) throw new BlueGreenError(ctx.app, 'measure', `the store was lost while measuring: ${messageOf(err)}`);
        }
        const left = end - rt.now();
        if (left <= 0) return;
        await orStop(ctx.sleep(Math.min(left, rt.pollMs)));
      }
    };

    const waitForProxy = async (percent: number): Promise<void> => {
      const url = ctx.verifyUrl;
      if (!url) steps.note('wait for the proxy skipped (no --verify-url)');
      else {
        // Below 100% one answer from the new color shows the weights took effect; at 100% it must answer every time.
        const consecutive = percent === 100 ? ctx.timing.consecutive : 1;
        await steps.run('verify', `wait until ${url} answers from ${to}${consecutive > 1 ? ` ${consecutive} times in a row` : ''}`, async () => {
          const { verifyTimeoutMs, intervalMs, requestTimeoutMs } = ctx.timing;
          const res = await orStop(verifyServes(url, to, { timeoutMs: verifyTimeoutMs, intervalMs, requestTimeoutMs, consecutive }));
          if (!res.ok) throw new BlueGreenError(ctx.app, 'verify', `${url} did not answer from ${to} within ${verifyTimeoutMs / 1000}s (last answer: ${res.last})`);
        });
      }
      const converge = ctx.converge;
      if (converge) {
        await steps.run('converge', `wait until the fleet applied ${keys.weight(to)}`, async () => {
          const res = await orStop(converge(keys.weight(to)));
          if (!res.ok) throw new BlueGreenError(ctx.app, 'converge', res.message);
          steps.note(res.message);
        });
      }
    };

    const measure = async (record: CanaryStepRecord): Promise<void> => {
      const label = `step ${record.step}/${options.steps.length} (${formatWeights(record.weights)})`;
      const src = source!;
      await orStop(src.mark());
      for (let round = 0; ; round++) {
        ctx.progress(`   measuring ${to} for ${options.intervalMs / 1000}s${round > 0 ? ' more' : ''}`);
        await hold(options.intervalMs);
        let counts;
        try {
          counts = (await orStop(src.read()))[to];
        } catch (err) {
          if (err instanceof BlueGreenError) throw err;
          throw new BlueGreenError(ctx.app, 'metrics', `reading ${src.description}: ${messageOf(err)}`, { cause: err });
        }
        const d = decide({ counts, maxErrorRatePercent: options.maxErrorRatePercent, minRequests: options.minRequests, lastChance: round >= options.extensions });
        Object.assign(record, { requests: d.requests, failures: d.failures, decision: d.action }, 'ratePercent' in d && d.ratePercent !== undefined ? { errorRatePercent: d.ratePercent } : {});
        const rate = 'ratePercent' in d && d.ratePercent !== undefined ? `error rate ${d.ratePercent}%` : 'error rate n/a';
        const numbers = `${label}: ${to} ${d.requests} requests, ${d.failures} failures, ${rate}`;
        if (d.action === 'promote') {
          ctx.progress(`${numbers} -> ${record.step < options.steps.length ? 'next step' : 'promote'}`);
          current = { ...current!, last: { step: record.step, requests: d.requests, failures: d.failures, ratePercent: d.ratePercent } };
          return;
        }
        record.reason = d.reason;
        if (d.action === 'wait') {
          ctx.progress(`${numbers} -> ${d.reason}; waiting`);
          continue;
        }
        ctx.progress(`${numbers} -> roll back: ${d.reason}`);
        if (d.ratePercent !== undefined) extra.errorRatePercent = d.ratePercent;
        throw new BlueGreenError(ctx.app, 'measure', `${label}: ${d.reason}`);
      }
    };

    for (let i = 0; i < options.steps.length; i++) {
      if (rt.signal.aborted) throw interrupted();
      await writeStep(i);
      const record: CanaryStepRecord = { step: i + 1, percent: options.steps[i]!, weights: current!.weights };
      records.push(record);
      await waitForProxy(record.percent);
      await measure(record);
    }
    const mine = getMine()!;
    const ok = await steps.run('promote', `set ${ctx.keys.live} = ${to}, clear the weights and ${keys.state}`, () => promoteCanary(ctx.backend, ctx.keys, mine, from, to));
    if (!ok) throw aborted();
    setMine(undefined);
    steps.result.live = to;
    extra.weights = null;
  };

  let mine: string | undefined;
  const result = await recordOperation(ctx, 'canary', async (steps) => {
    try {
      await body(steps, (raw) => (mine = raw), () => mine);
      extra.outcome = 'promoted';
    } catch (err) {
      extra.outcome = err instanceof Stopped ? err.outcome : mine === undefined ? 'failed' : 'rolled-back';
      if (mine !== undefined) await putBack(ctx, steps, mine, err, extra, rt);
      throw err;
    } finally {
      await source?.close().catch((err: unknown) => steps.note(`closing ${source?.description}: ${messageOf(err)}`));
    }
  });
  return { ...result, ...extra };
};

const detailOf = (err: unknown): string => (err instanceof BlueGreenError ? err.detail : messageOf(err));

/** After a failure with weights written: all traffic back to the old color; a failure to do so becomes the error. */
const putBack = async (ctx: CanaryContext, steps: Steps, mine: string, cause: unknown, extra: Omit<CanaryResult, keyof OperationResult>, rt: CanaryRuntime): Promise<void> => {
  const state = JSON.parse(mine) as CanaryState;
  const back = { blue: 0, green: 0, [state.from]: 100 } as Weights;
  try {
    const done = await steps.run('restore', `weights back to ${formatWeights(back)}, clear ${canaryKeys(ctx.keys.root).state}`, () =>
      putWeightsBack(ctx.backend, ctx.keys, state.from, mine, {
        attempts: rt.restoreAttempts,
        backoffMs: rt.restoreBackoffMs,
        sleep: ctx.sleep,
        progress: ctx.progress,
      }),
    );
    if (done === 'changed') steps.note(`${canaryKeys(ctx.keys.root).state} was already changed (bluegreen abort put the weights back)`);
    extra.weights = back;
  } catch (err) {
    delete extra.weights;
    extra.outcome = 'failed';
    throw new BlueGreenError(ctx.app, 'restore', `${detailOf(cause)}; then ${detailOf(err)}; ${canaryKeys(ctx.keys.root).weight(state.to)} may still send ${state.weights[state.to]}% to ${state.to}`, { cause: err });
  }
};
