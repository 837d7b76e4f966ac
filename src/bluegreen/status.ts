// status: the live color, both colors' address, unit state and health.
import { parseAddr, unitName } from './addr.js';
import type { BlueGreenContext } from './context.js';
import { probeHealth, type Health } from './health.js';
import { readState } from './state.js';
import { COLORS, type Color } from './types.js';

export interface ColorStatus {
  color: Color;
  live: boolean;
  addr?: string;
  /** blue@9001.service; absent without a valid addr. */
  unit?: string;
  /** systemctl is-active, or "unknown". */
  unitState: string;
  health: Health;
}

export interface StatusReport {
  app: string;
  live?: Color;
  previous?: Color;
  healthPath: string;
  colors: ColorStatus[];
}

const colorStatus = async (ctx: BlueGreenContext, color: Color, addr: string | undefined, healthPath: string, live: boolean): Promise<ColorStatus> => {
  const hp = addr === undefined ? undefined : parseAddr(addr);
  const unit = hp ? unitName(color, hp) : undefined;
  const [unitState, health] = await Promise.all([
    unit ? ctx.systemctl.isActive(unit) : Promise.resolve('unknown'),
    probeHealth(addr, healthPath, ctx.timing.requestTimeoutMs),
  ]);
  return { color, live, ...(addr !== undefined ? { addr } : {}), ...(unit ? { unit } : {}), unitState, health };
};

export const getStatus = async (ctx: BlueGreenContext): Promise<StatusReport> => {
  const state = await readState(ctx.backend, ctx.keys, ctx.app, ctx.healthPath);
  const colors = await Promise.all(COLORS.map((c) => colorStatus(ctx, c, state.addr[c], state.healthPath, state.live === c)));
  return {
    app: ctx.app,
    ...(state.live ? { live: state.live } : {}),
    ...(state.previous ? { previous: state.previous } : {}),
    healthPath: state.healthPath,
    colors,
  };
};

const healthText = (h: Health): string => (h.healthy ? `healthy (${h.status ?? ''})` : `unhealthy: ${h.error ?? 'unknown'}`);

export const formatStatus = (r: StatusReport): string => {
  const head = `app ${r.app}   live: ${r.live ?? '(unset)'}   previous: ${r.previous ?? '(unset)'}   health path: ${r.healthPath}`;
  const rows = [
    ['COLOR', 'LIVE', 'ADDR', 'UNIT', 'STATE', 'HEALTH'],
    ...r.colors.map((c) => [c.color, c.live ? '*' : '', c.addr ?? '(unset)', c.unit ?? '-', c.unitState, healthText(c.health)]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const lines = rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
  return [head, ...lines].join('\n') + '\n';
};
