// The run: options → configuration → backend → --onetime or the daemon.
import { loadBackend } from '../backends/index.js';
import type { Backend } from '../backends/backend.js';
import { backendOptionsOf, resolveRunOptions } from '../config/run-options.js';
import { createLogger, type Logger } from '../log.js';
import { cleanStaleStageFiles } from '../resource/pipeline.js';
import { loadConfiguration, warnAboutConfiguration } from '../daemon/configuration.js';
import { runDaemon } from '../daemon/daemon.js';
import { runOnce } from '../daemon/onetime.js';
import { exitWith, reportError } from './exit.js';
import { givenFlags } from './options.js';

export const runCommand = async (argv: Record<string, unknown>): Promise<void> => {
  let logger: Logger = createLogger();
  let backend: Backend | undefined;
  try {
    const options = await resolveRunOptions(givenFlags(argv));
    logger = createLogger({ level: options.logLevel, format: options.logFormat });
    const config = await loadConfiguration(options.confdir, options.prefix, options.policy);
    warnAboutConfiguration(config, options.confdir, logger);
    logger.debug('configuration loaded', { confdir: options.confdir, resources: config.resources.map((r) => r.name) });
    backend = await loadBackend(options.backend, { ...backendOptionsOf(options), oneShot: options.mode === 'onetime' }, logger);
    const pipeline = {
      noop: options.noop,
      syncOnly: options.syncOnly,
      keepStageFile: options.keepStageFile,
      commandTimeoutMs: options.commandTimeoutMs,
      renderLimits: options.renderLimits,
    };
    if (!options.noop) await cleanStaleStageFiles(config.resources, logger);
    let code: number;
    if (options.mode === 'onetime') {
      code = await runOnce(config, backend, pipeline, logger);
    } else {
      code = await runDaemon(options, config, backend, pipeline, logger);
    }
    await backend.close();
    return exitWith(code);
  } catch (err) {
    await backend?.close().catch(() => undefined);
    return exitWith(reportError(err, logger));
  }
};
