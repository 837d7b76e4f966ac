// The default command: --onetime, watch or --interval.
import type { Argv } from 'yargs';
import { loadBackend } from '../backends/index.js';
import type { Backend, BackendOptions } from '../backends/backend.js';
import { RUN_OPTIONS } from '../config/option-table.js';
import { resolveRunOptions, type RunOptions } from '../config/run-options.js';
import { addSecret, createLogger, type Logger } from '../log.js';
import { cleanStaleStageFiles } from '../resource/pipeline.js';
import { loadConfiguration } from '../run/configuration.js';
import { runDaemon } from '../run/daemon.js';
import { runOnce } from '../run/onetime.js';
import { exitWith, reportError } from './exit.js';
import { startStatusServer } from '../run/status-server.js';

export const addRunOptions = <T>(y: Argv<T>): Argv<T> => {
  let out = y;
  for (const spec of RUN_OPTIONS) {
    const type = spec.type === 'list' ? 'string' : spec.type;
    const describe = spec.defaultText ? `${spec.describe} [default: ${spec.defaultText}]` : spec.describe;
    out = out.option(spec.flag, { type, describe, array: spec.type === 'list' ? true : undefined, group: 'Run options:' }) as Argv<T>;
  }
  return out;
};

/** The flags the user actually gave, by RunOptions property name. */
export const givenFlags = (argv: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const spec of RUN_OPTIONS) {
    const v = argv[spec.flag];
    if (v !== undefined) out[spec.name] = v;
  }
  return out;
};

export const backendOptionsOf = (o: RunOptions): BackendOptions => ({
  nodes: o.nodes,
  files: o.files,
  ...(o.username !== undefined ? { username: o.username } : {}),
  ...(o.password !== undefined ? { password: o.password } : {}),
  ...(o.authToken !== undefined ? { authToken: o.authToken } : {}),
  ...(o.clientCert !== undefined ? { clientCert: o.clientCert } : {}),
  ...(o.clientKey !== undefined ? { clientKey: o.clientKey } : {}),
  ...(o.clientCaKeys !== undefined ? { clientCaKeys: o.clientCaKeys } : {}),
});

export const runCommand = async (argv: Record<string, unknown>): Promise<void> => {
  let logger: Logger = createLogger();
  let backend: Backend | undefined;
  try {
    const options = await resolveRunOptions(givenFlags(argv));
    addSecret(options.password);
    addSecret(options.authToken);
    logger = createLogger({ level: options.logLevel, format: options.logFormat });
    const config = await loadConfiguration(options.confdir, options.prefix);
    logger.debug('configuration loaded', { confdir: options.confdir, resources: config.resources.map((r) => r.name) });
    backend = await loadBackend(options.backend, backendOptionsOf(options), logger);
    const pipeline = {
      noop: options.noop,
      syncOnly: options.syncOnly,
      keepStageFile: options.keepStageFile,
      commandTimeoutMs: options.commandTimeoutMs,
    };
    if (!options.noop) await cleanStaleStageFiles(config.resources, logger);
    let code: number;
    if (options.mode === 'onetime') {
      code = await runOnce(config, backend, pipeline, logger);
    } else {
      const status = options.metricsAddr ? await startStatusServer(options.metricsAddr, logger) : undefined;
      code = await runDaemon(options, config, backend, pipeline, logger, status ? { onRound: status.record } : {});
      await status?.close();
    }
    await backend.close();
    return exitWith(code);
  } catch (err) {
    await backend?.close().catch(() => undefined);
    return exitWith(reportError(err, logger));
  }
};
