// toggle: switch to whichever color is not live.
import type { BlueGreenContext } from './context.js';
import { BlueGreenError } from './errors.js';
import { recordOperation, type OperationResult } from './steps.js';
import { switchFromState } from './switch.js';
import { otherColor } from './types.js';
import { readAppState } from './unit-steps.js';

export const toggle = (ctx: BlueGreenContext): Promise<OperationResult> =>
  recordOperation(ctx, 'toggle', async (steps) => {
    const state = await readAppState(ctx, steps);
    if (!state.live) throw new BlueGreenError(ctx.app, 'read', `${ctx.keys.live} is not set; use switch COLOR first`);
    await switchFromState(ctx, steps, state, otherColor(state.live));
  });
