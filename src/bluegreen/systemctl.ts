// The systemctl calls blue/green needs. The program is injectable
// (SWITCHYARD_SYSTEMCTL) so tests can stand in a recording script.

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
  const run = async (verb: string, unit: string) =>
    (await import('execa')).execa(program, [verb, unit], { env, timeout, reject: false, stdin: 'ignore', all: true });
  const change = async (verb: string, unit: string): Promise<void> => {
    const res = await run(verb, unit);
    if (res.failed) {
      const why = res.timedOut ? `timed out after ${timeout} ms` : res.all?.trim() || res.shortMessage || `exit code ${res.exitCode}`;
      throw new SystemctlError(verb, unit, why, { cause: res.cause ?? res });
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
