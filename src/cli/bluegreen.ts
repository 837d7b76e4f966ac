// switchyard bluegreen status|switch COLOR|toggle|deploy|rollback|canary|abort --app NAME
// Exit codes: 0 ok, 1 the operation failed (traffic stays on, or is put back
// to, the old color unless the output says otherwise), 2 usage.
import type { Argv, CommandModule } from 'yargs';
import { hasLeases, type Backend, type BackendOptions } from '../backends/backend.js';
import { loadBackend } from '../backends/index.js';
import { deploy } from '../bluegreen/deploy.js';
import { DEFAULT_TIMING, type BlueGreenContext, type Timing } from '../bluegreen/context.js';
import { BlueGreenError } from '../bluegreen/errors.js';
import { rollback } from '../bluegreen/rollback.js';
import { appKeys } from '../bluegreen/state.js';
import { formatStatus, getStatus } from '../bluegreen/status.js';
import { readCanaryView } from '../canary/state.js';
import { canaryStatusFields, formatCanaryStatus } from '../canary/status-text.js';
import type { OperationResult } from '../bluegreen/steps.js';
import { switchColor } from '../bluegreen/switch.js';
import { createSystemctl } from '../bluegreen/systemctl.js';
import { toggle } from '../bluegreen/toggle.js';
import { COLORS, isColor } from '../bluegreen/types.js';
import { parseTimerDuration } from '../config/duration.js';
import { BACKEND_OPTIONS } from '../config/option-table.js';
import { parseConvergeTarget, waitForConvergence, waitForReturn } from '../fleet/converge.js';
import { backendOptionsOf, resolveRunOptions } from '../config/run-options.js';
import { ConfigError, messageOf } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { abortSummary, addCanaryOptions, canarySummary, runAbortCommand, runCanaryCommand } from './bluegreen-canary.js';
import { EXIT_FAILED, EXIT_OK, exitWith, reportError } from './exit.js';
import { addTableOptions, givenFlags } from './options.js';

export interface BluegreenDeps {
  loadBackend: (name: string, options: BackendOptions, logger: Logger) => Promise<Backend>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  exit: (code: number) => void;
  env: NodeJS.ProcessEnv;
}

const defaultDeps: BluegreenDeps = {
  loadBackend,
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  exit: exitWith,
  env: process.env,
};

const SECONDS_OPTIONS = {
  'health-timeout': { timing: 'healthTimeoutMs', describe: 'how long a started color may take to become healthy' },
  'verify-timeout': { timing: 'verifyTimeoutMs', describe: 'how long the proxy may take to serve the new color' },
  'request-timeout': { timing: 'requestTimeoutMs', describe: 'time limit of one health or verify request' },
  drain: { timing: 'drainMs', describe: 'deploy: seconds the old color keeps serving in-flight requests before it is stopped' },
} as const satisfies Record<string, { timing: keyof Timing; describe: string }>;

const addOptions = <T>(y: Argv<T>, demandApp = true): Argv<T> => {
  let out = y
    .option('app', { type: 'string', demandOption: demandApp, describe: 'the application: keys under <prefix>/<app>/' })
    .option('health', { type: 'string', describe: "health URL path [default: the app's health key, else /health]" })
    .option('verify-url', { type: 'string', describe: 'a URL served by the proxy; a switch waits until it answers with the new color (X-Color header or the color in the body)' })
    .option('force', { type: 'boolean', default: false, describe: 'switch/toggle to an unhealthy color anyway' })
    .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON' })
    .option('converge', { type: 'string', describe: 'after the switch, wait until all, N or P% of the hosts reporting with --report applied it with ok; else put live back and wait until the hosts that applied it apply the old color again' })
    .option('converge-timeout', { type: 'string', describe: 'how long --converge waits, and then how long the hosts may take to return after live is put back [default: 30s]' }) as Argv<T>;
  for (const [flag, { timing, describe }] of Object.entries(SECONDS_OPTIONS)) {
    out = out.option(flag, { type: 'number', describe: `${describe} [default: ${DEFAULT_TIMING[timing] / 1000}]` }) as Argv<T>;
  }
  return addTableOptions(out, BACKEND_OPTIONS, 'Backend options:');
};

const timingOf = (argv: Record<string, unknown>): Timing => {
  const timing: Timing = { ...DEFAULT_TIMING };
  for (const [flag, { timing: field }] of Object.entries(SECONDS_OPTIONS)) {
    const v = argv[flag];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new ConfigError(undefined, `expected a non-negative number of seconds, got ${JSON.stringify(v)}`, { key: flag });
    }
    timing[field] = Math.round(v * 1000);
  }
  if (timing.requestTimeoutMs <= 0) throw new ConfigError(undefined, 'must be more than 0', { key: 'request-timeout' });
  return timing;
};

/** --converge: the wait on the hosts' reports, run after the write, and after a failed one the wait for the hosts to return. */
const convergeGate = (backend: Backend, prefix: string, text: string, timeoutText: unknown): Pick<BlueGreenContext, 'converge' | 'convergeBack'> => {
  if (!hasLeases(backend)) throw new ConfigError(undefined, `needs a store hosts report to (etcd or consul), not the ${backend.name} backend`, { key: 'converge' });
  const target = parseConvergeTarget(text);
  if (typeof target === 'string') throw new ConfigError(undefined, target, { key: 'converge' });
  const timeoutMs = timeoutText === undefined ? 30_000 : parseTimerDuration(String(timeoutText));
  if (typeof timeoutMs === 'string') throw new ConfigError(undefined, timeoutMs, { key: 'converge-timeout' });
  return {
    converge: (key) => waitForConvergence(backend, key, { prefix, target, timeoutMs }),
    convergeBack: (key, hosts) => waitForReturn(backend, key, { prefix, hosts, timeoutMs }),
  };
};

type Operation = 'status' | 'switch' | 'toggle' | 'deploy' | 'rollback' | 'canary' | 'abort';

const runOperation = (ctx: BlueGreenContext, operation: Exclude<Operation, 'status' | 'canary' | 'abort'>, color: unknown): Promise<OperationResult> => {
  switch (operation) {
    case 'switch':
      if (!isColor(color)) throw new ConfigError(undefined, `expected blue or green, got ${JSON.stringify(color)}`, { key: 'COLOR' });
      return switchColor(ctx, color);
    case 'toggle':
      return toggle(ctx);
    case 'deploy':
      return deploy(ctx);
    case 'rollback':
      return rollback(ctx);
  }
};

const summaryOf = (r: OperationResult): string =>
  r.ok
    ? `${r.operation} ok: ${r.live ?? '(unset)'} is live\n`
    : `${r.operation} FAILED at ${r.error?.step}: ${r.error?.message}\nlive is ${r.live ?? '(unset)'}${r.live === r.from ? ' (unchanged)' : ''}\n`;

const handlerFor = (operation: Operation, deps: BluegreenDeps) => async (argv: Record<string, unknown>): Promise<void> => {
  let logger: Logger = createLogger();
  let backend: Backend | undefined;
  let code = EXIT_OK;
  const json = argv['json'] === true;
  try {
    const options = await resolveRunOptions(givenFlags(argv, BACKEND_OPTIONS), deps.env);
    logger = createLogger({ level: options.logLevel, format: options.logFormat });
    const timing = timingOf(argv);
    backend = await deps.loadBackend(options.backend, backendOptionsOf(options), logger);
    const app = String(argv['app']);
    const ctx: BlueGreenContext = {
      app,
      backend,
      keys: appKeys(options.prefix, app),
      systemctl: createSystemctl({ env: deps.env }),
      force: argv['force'] === true,
      timing,
      // With --json, stdout carries only the JSON document.
      progress: (line) => (json ? deps.stderr : deps.stdout)(line + '\n'),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      ...(typeof argv['converge'] === 'string' ? convergeGate(backend, options.reportPrefix, argv['converge'], argv['convergeTimeout']) : {}),
      ...(typeof argv['health'] === 'string' ? { healthPath: argv['health'] } : {}),
      ...(typeof argv['verifyUrl'] === 'string' ? { verifyUrl: argv['verifyUrl'] } : {}),
    };
    if (operation === 'status') {
      const report = await getStatus(ctx);
      const store = backend;
      const canary = await readCanaryView(store, ctx.keys.root).catch((err: unknown) => {
        throw new BlueGreenError(app, 'read', messageOf(err), { cause: err });
      });
      deps.stdout(json ? JSON.stringify({ ...report, ...canaryStatusFields(canary) }, null, 2) + '\n' : formatStatus(report) + formatCanaryStatus(canary));
    } else if (operation === 'canary') {
      const result = await runCanaryCommand(ctx, argv, options.report?.hostId);
      deps.stdout(json ? JSON.stringify(result, null, 2) + '\n' : canarySummary(result));
      code = result.ok ? EXIT_OK : EXIT_FAILED;
    } else if (operation === 'abort') {
      const result = await runAbortCommand(ctx);
      deps.stdout(json ? JSON.stringify(result, null, 2) + '\n' : abortSummary(result));
    } else {
      const result = await runOperation(ctx, operation, argv['color']);
      deps.stdout(json ? JSON.stringify(result, null, 2) + '\n' : summaryOf(result));
      code = result.ok ? EXIT_OK : EXIT_FAILED;
    }
  } catch (err) {
    if (err instanceof BlueGreenError) {
      deps.stderr(`switchyard: ${err.message}\n`);
      code = EXIT_FAILED;
    } else {
      code = reportError(err, logger);
    }
  } finally {
    await backend?.close().catch((err: unknown) => logger.warn('closing the backend failed', { error: err }));
  }
  deps.exit(code);
};

const OPERATIONS: { command: string; operation: Operation; describe: string }[] = [
  { command: 'status', operation: 'status', describe: "live color, both colors' address, unit state and health" },
  { command: 'switch <color>', operation: 'switch', describe: 'make COLOR live (refuses an unhealthy color unless --force)' },
  { command: 'toggle', operation: 'toggle', describe: 'make the other color live' },
  { command: 'deploy', operation: 'deploy', describe: 'start the idle color (restart it if running), wait for health, switch, verify, drain, stop the old color' },
  { command: 'rollback', operation: 'rollback', describe: 'return to the previous color, starting its unit if needed' },
  { command: 'canary', operation: 'canary', describe: "move traffic to the idle color step by step (weights), measuring its error rate; roll back on a bad rate, make it live after the last step" },
  { command: 'abort', operation: 'abort', describe: 'stop a canary in progress: weights back to 100/0 for the live color, live unchanged' },
];

const EPILOG = `Keys under <prefix>/<app>/:
  live               blue or green: the color the proxy serves
  previous           the color live before the last switch (rollback returns to it)
  blue/addr, green/addr
                     host:port of each color; the port names its unit (blue@9001.service)
  health             health URL path (default /health; --health overrides)
  weight/blue, weight/green
                     each color's share of traffic in percent while a canary runs (0-100, summing to 100)
  canary             the canary in progress: step, weights, start time, pid and host of its runner
A color is healthy when GET http://<addr><health> answers 2xx. With --verify-url, a
switch waits until ${DEFAULT_TIMING.consecutive} answers in a row through the proxy name the new color (header
X-Color, or the body containing the color as a word), else puts live back.
SWITCHYARD_SYSTEMCTL names the systemctl program (default: systemctl).
Exit codes: 0 ok, 1 the operation failed, 2 usage.`;

export const createBluegreenCommand = (overrides: Partial<BluegreenDeps> = {}): CommandModule => {
  const deps = { ...defaultDeps, ...overrides };
  return {
    command: 'bluegreen',
    describe: 'blue/green operations on one application',
    builder: (y) => {
      // Declared here too (without demanding --app), so that `bluegreen --help` lists them.
      let out = addOptions(y, false);
      for (const op of OPERATIONS) {
        out = out.command({
          command: op.command,
          describe: op.describe,
          // Options belong to each operation: yargs enforces demandOption only on the command that runs.
          builder: (sub) => {
            const withOptions = addOptions(op.operation === 'switch' ? sub.positional('color', { choices: COLORS, describe: 'blue or green' }) : sub);
            return op.operation === 'canary' ? addCanaryOptions(withOptions) : withOptions;
          },
          handler: handlerFor(op.operation, deps),
        });
      }
      return out.demandCommand(1, 'name an operation: status, switch COLOR, toggle, deploy, rollback, canary or abort').epilog(EPILOG);
    },
    handler: () => undefined,
  };
};

export const bluegreenCommand: CommandModule = createBluegreenCommand();
