// The systemctl calls blue/green needs. The program is injectable
// (SWITCHYARD_SYSTEMCTL) so tests can stand in a recording script.
import { failureOf, runProcess } from '../process/command.js';

/** active, inactive, failed, activating, ...; "unknown" when systemctl cannot say (no systemd). */
export type UnitState = string;

export interface Systemctl {
  readonly program: string;
  isActive(unit: string): Promise<UnitState>;
  start(unit: string): Promise<void>;
  restart(unit: string): Promise<void>;
  stop(unit: string): Promise<void>;
}

export class SystemctlError extends Error {
  override readonly name = 'SystemctlError';
  constructor(
    readonly verb: string,
    readonly unit: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`systemctl ${verb} ${unit}: ${detail}`, options);
  }
}

export interface SystemctlOptions {
  program?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export const createSystemctl = (options: SystemctlOptions = {}): Systemctl => {
  const env = options.env ?? process.env;
  const program = options.program ?? (env.SWITCHYARD_SYSTEMCTL || 'systemctl');
  const timeout = options.timeoutMs ?? 120_000;
  const run = (verb: string, unit: string) => runProcess(program, [verb, unit], timeout, env);
  const change = async (verb: string, unit: string): Promise<void> => {
    const res = await run(verb, unit);
    if (res.failed) {
      const why = res.timedOut ? `timed out after ${timeout} ms` : res.all.trim() || failureOf(program, res);
      throw new SystemctlError(verb, unit, why, { cause: res.cause });
    }
  };
  return {
    program,
    // Without systemd (or without systemctl) is-active prints nothing.
    isActive: async (unit) => (await run('is-active', unit)).stdout.trim().split('\n')[0] || 'unknown',
    start: (unit) => change('start', unit),
    restart: (unit) => change('restart', unit),
    stop: (unit) => change('stop', unit),
  };
};
