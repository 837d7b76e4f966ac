// deploy: start the idle color, wait for its health, switch, verify through
// the proxy, drain, stop the old color. Until the switch is verified, any
// failure leaves (or puts back) traffic on the old color.
import type { BlueGreenContext } from './context.js';
import { BlueGreenError } from './errors.js';
import { recordOperation, type OperationResult } from './steps.js';
import { switchAndVerify } from './switch.js';
import { otherColor } from './types.js';
import { readAppState, requireAddr, startUnit, stopUnit, waitForHealth } from './unit-steps.js';

export const deploy = (ctx: BlueGreenContext): Promise<OperationResult> =>
  recordOperation(ctx, 'deploy', async (steps) => {
    const state = await readAppState(ctx, steps);
    const from = state.live;
    if (!from) throw new BlueGreenError(ctx.app, 'read', `${ctx.keys.live} is not set; use switch COLOR first`);
    const to = otherColor(from);
    requireAddr(ctx, state, from);
    requireAddr(ctx, state, to);
    await startUnit(ctx, steps, state, to, { restartIfActive: true, skipWhenUnknown: false });
    await waitForHealth(ctx, steps, state, to);
    await switchAndVerify(ctx, steps, state, to);
    const drainMs = ctx.timing.drainMs;
    await steps.run('drain', `drain ${from} for ${drainMs / 1000}s`, () => ctx.sleep(drainMs));
    // The switch is verified: a failure to stop the old unit is reported, but
    // traffic stays on the new color rather than returning to a unit being stopped.
    await stopUnit(ctx, steps, state, from);
  });
