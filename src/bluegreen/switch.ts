// switch COLOR: make a healthy color live, then verify through the proxy;
// when the proxy does not follow, live is put back.
import { messageOf } from '../errors.js';
import type { BlueGreenContext } from './context.js';
import { BlueGreenError } from './errors.js';
import { restoreLive, writeLive } from './state.js';
import { recordOperation, type OperationResult, type Steps } from './steps.js';
import type { AppState, Color } from './types.js';
import { checkHealthNow, readAppState } from './unit-steps.js';
import { verifyServes } from './verify.js';

const verifyOrThrow = async (ctx: BlueGreenContext, url: string, color: Color): Promise<void> => {
  const { verifyTimeoutMs, intervalMs, requestTimeoutMs, consecutive } = ctx.timing;
  const res = await verifyServes(url, color, { timeoutMs: verifyTimeoutMs, intervalMs, requestTimeoutMs, consecutive });
  if (!res.ok) {
    throw new BlueGreenError(ctx.app, 'verify', `${url} did not serve ${color} within ${verifyTimeoutMs / 1000}s (last answer: ${res.last})`);
  }
};

/** The wait of --converge; `applied` receives the hosts that applied the switch, also when too few did. */
const convergeOrThrow = async (ctx: BlueGreenContext, converge: NonNullable<BlueGreenContext['converge']>, applied: (hosts: string[]) => void): Promise<void> => {
  const res = await converge(ctx.keys.live);
  applied(res.applied ?? []);
  if (!res.ok) throw new BlueGreenError(ctx.app, 'converge', res.message);
  ctx.progress(`   ${res.message}`);
};

/**
 * After a failed --converge put live back: waits until the hosts that had
 * applied the switch applied the old color again, and adds which did (and
 * which did not) to the error.
 */
const awaitReturn = async (ctx: BlueGreenContext, steps: Steps, err: unknown, before: AppState, applied: readonly string[] | undefined): Promise<unknown> => {
  const convergeBack = ctx.convergeBack;
  // No answer from the wait (it threw): nothing is known about who applied the switch.
  if (!convergeBack || applied === undefined || !(err instanceof BlueGreenError) || err.step !== 'converge') return err;
  const back = before.live;
  const because = (outcome: string): BlueGreenError => new BlueGreenError(ctx.app, 'converge', `${err.detail}; live put back to ${back ?? '(unset)'}: ${outcome}`, { cause: err });
  if (back === undefined) return because('live was unset before the switch, so there is no revision of it to wait for');
  if (applied.length === 0) return because('no host had applied the switch');
  try {
    const res = await steps.run('return', `wait until ${applied.join(', ')} applied ${ctx.keys.live} = ${back} again`, async () => {
      const r = await convergeBack(ctx.keys.live, applied);
      if (!r.ok) throw new BlueGreenError(ctx.app, 'return', r.message);
      return r;
    });
    ctx.progress(`   ${res.message}`);
    return because(res.message);
  } catch (returnErr) {
    return because(returnErr instanceof BlueGreenError ? returnErr.detail : messageOf(returnErr));
  }
};

/** Writes live = target (remembering the old color), verifies, and restores live when verification fails. */
export const switchAndVerify = async (ctx: BlueGreenContext, steps: Steps, before: AppState, target: Color): Promise<void> => {
  await steps.run('switch', `set ${ctx.keys.live} = ${target}`, () => writeLive(ctx.backend, ctx.keys, ctx.app, target, before.live));
  steps.result.live = target;
  const url = ctx.verifyUrl;
  if (!url) steps.note('verify through the proxy skipped (no --verify-url)');
  let applied: string[] | undefined;
  try {
    if (url) await steps.run('verify', `wait until ${url} serves ${target}`, () => verifyOrThrow(ctx, url, target));
    const converge = ctx.converge;
    if (converge) {
      await steps.run('converge', `wait until the fleet applied ${ctx.keys.live} = ${target}`, () => convergeOrThrow(ctx, converge, (hosts) => (applied = hosts)));
    }
  } catch (err) {
    const back = before.live ?? '(unset)';
    try {
      await steps.run('restore', `set ${ctx.keys.live} back to ${back}`, () => restoreLive(ctx.backend, ctx.keys, ctx.app, before));
    } catch (restoreErr) {
      throw new BlueGreenError(ctx.app, 'restore', `${messageOf(err)}; then ${messageOf(restoreErr)}`, { cause: restoreErr });
    }
    steps.result.live = before.live;
    throw await awaitReturn(ctx, steps, err, before, applied);
  }
};

/** Health gate, then switch and verify; nothing to do when target is already live. */
export const switchFromState = async (ctx: BlueGreenContext, steps: Steps, state: AppState, target: Color): Promise<void> => {
  if (state.live === target) {
    steps.note(`${target} is already live`);
    return;
  }
  await checkHealthNow(ctx, steps, state, target);
  await switchAndVerify(ctx, steps, state, target);
};

export const switchColor = (ctx: BlueGreenContext, target: Color): Promise<OperationResult> =>
  recordOperation(ctx, 'switch', async (steps) => switchFromState(ctx, steps, await readAppState(ctx, steps), target));
