// Steps shared by the operations: read the state, resolve a color's address,
// start its unit, check or wait for its health.
import { parseAddr, unitName, urlOf, type HostPort } from './addr.js';
import type { BlueGreenContext } from './context.js';
import { BlueGreenError } from './errors.js';
import { probeHealth, waitHealthy, type Health } from './health.js';
import { readState } from './state.js';
import type { Steps } from './steps.js';
import type { AppState, Color } from './types.js';

export const readAppState = async (ctx: BlueGreenContext, steps: Steps): Promise<AppState> => {
  const state = await steps.run('read', `read ${ctx.keys.root}/`, () => readState(ctx.backend, ctx.keys, ctx.app, ctx.healthPath));
  if (state.live) steps.result.from = steps.result.live = state.live;
  return state;
};

export const requireAddr = (ctx: BlueGreenContext, state: AppState, color: Color): HostPort => {
  const addr = state.addr[color];
  const hp = addr === undefined ? undefined : parseAddr(addr);
  if (hp) return hp;
  const why = addr === undefined ? 'is not set' : `is ${JSON.stringify(addr)}, expected host:port`;
  throw new BlueGreenError(ctx.app, 'addr', `${ctx.keys.addr(color)} ${why}`);
};

const describeHealth = (h: Health): string => h.error ?? (h.status !== undefined ? `status ${h.status}` : 'unknown');

/** One probe; an unhealthy target stops the operation unless --force. */
export const checkHealthNow = async (ctx: BlueGreenContext, steps: Steps, state: AppState, color: Color): Promise<void> => {
  const addr = requireAddr(ctx, state, color);
  const url = urlOf(addr, state.healthPath);
  await steps.run('health', `check ${color} health at ${url}`, async () => {
    const health = await probeHealth(state.addr[color], state.healthPath, ctx.timing.requestTimeoutMs);
    if (health.healthy) return;
    if (!ctx.force) throw new BlueGreenError(ctx.app, 'health', `${color} is not healthy (${describeHealth(health)}); use --force to switch anyway`);
    steps.note(`${color} is not healthy (${describeHealth(health)}); switching anyway (--force)`);
  });
};

/** Polls until healthy; a timeout stops the operation (there is no --force for a unit that just started). */
export const waitForHealth = async (ctx: BlueGreenContext, steps: Steps, state: AppState, color: Color): Promise<void> => {
  const addr = requireAddr(ctx, state, color);
  const url = urlOf(addr, state.healthPath);
  const limit = ctx.timing.healthTimeoutMs;
  await steps.run('health', `wait until ${url} is healthy (up to ${limit / 1000}s)`, async () => {
    const health = await waitHealthy(state.addr[color], state.healthPath, {
      timeoutMs: limit,
      intervalMs: ctx.timing.intervalMs,
      probeTimeoutMs: ctx.timing.requestTimeoutMs,
    });
    if (!health.healthy) throw new BlueGreenError(ctx.app, 'health', `${color} at ${url} not healthy after ${limit / 1000}s: ${describeHealth(health)}`);
  });
};

export interface StartOptions {
  /** Restart a unit that already runs, so it picks up what was just deployed. */
  restartIfActive: boolean;
  /** Without systemd, skip the start and let the health check decide. */
  skipWhenUnknown: boolean;
}

export const startUnit = async (ctx: BlueGreenContext, steps: Steps, state: AppState, color: Color, options: StartOptions): Promise<void> => {
  const unit = unitName(color, requireAddr(ctx, state, color));
  const unitState = await ctx.systemctl.isActive(unit);
  if (unitState === 'unknown' && options.skipWhenUnknown) {
    steps.note(`state of ${unit} unknown (no systemd?); not starting it`);
    return;
  }
  const active = unitState === 'active';
  if (active && !options.restartIfActive) {
    steps.note(`${unit} is already active`);
    return;
  }
  const verb = active ? 'restart' : 'start';
  await steps.run('start', `systemctl ${verb} ${unit}`, () => (active ? ctx.systemctl.restart(unit) : ctx.systemctl.start(unit)));
};

export const stopUnit = async (ctx: BlueGreenContext, steps: Steps, state: AppState, color: Color): Promise<void> => {
  const unit = unitName(color, requireAddr(ctx, state, color));
  await steps.run('stop', `systemctl stop ${unit}`, () => ctx.systemctl.stop(unit));
};
