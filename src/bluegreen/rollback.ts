// rollback: back to the previous color, starting its unit when it is not
// running, then health-checked and verified like a switch.
import type { BlueGreenContext } from './context.js';
import { BlueGreenError } from './errors.js';
import { recordOperation, type OperationResult } from './steps.js';
import { switchAndVerify } from './switch.js';
import { readAppState, startUnit, waitForHealth } from './unit-steps.js';

export const rollback = (ctx: BlueGreenContext): Promise<OperationResult> =>
  recordOperation(ctx, 'rollback', async (steps) => {
    const state = await readAppState(ctx, steps);
    const target = state.previous;
    if (!target) throw new BlueGreenError(ctx.app, 'read', `${ctx.keys.previous} is not set: nothing to roll back to`);
    if (target === state.live) {
      steps.note(`${target} is already live`);
      return;
    }
    await startUnit(ctx, steps, state, target, { restartIfActive: false, skipWhenUnknown: true });
    await waitForHealth(ctx, steps, state, target);
    await switchAndVerify(ctx, steps, state, target);
  });
