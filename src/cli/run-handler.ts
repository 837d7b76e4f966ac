// The run: options → configuration → backend → --onetime or the daemon.
import { loadBackend } from '../backends/index.js';
import { hasLeases, type Backend } from '../backends/backend.js';
import { ConfigError } from '../errors.js';
import type { Reporter } from '../fleet/reporter.js';
import { backendOptionsOf, resolveRunOptions } from '../config/run-options.js';
import { createLogger, type Logger } from '../log.js';
import { cleanStaleStageFiles } from '../resource/pipeline.js';
import { loadConfiguration, warnAboutConfiguration } from '../daemon/configuration.js';
import { runOnce } from '../daemon/onetime.js';
import { createHistoryRecorder } from '../history/recorder.js';
import { exitWith, reportError } from './exit.js';
import { givenFlags } from './options.js';

/** --report: the backend must hold keys under a lease (checked in the options: etcd or consul). */
const startReporter = async (backend: Backend, prefix: string, report: { hostId: string; ttlMs: number }, logger: Logger): Promise<Reporter> => {
  if (!hasLeases(backend)) throw new ConfigError(undefined, `--report needs a store with leases, not the ${backend.name} backend`, { key: 'report' });
  const { createReporter } = await import('../fleet/reporter.js');
  return createReporter({ store: backend, prefix, hostId: report.hostId, ttlMs: report.ttlMs, logger });
};

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
      // --noop applies nothing, so there is nothing to keep.
      ...(options.noop ? {} : { history: createHistoryRecorder({ dir: options.historyDir, keep: options.historyKeep }, logger) }),
    };
    if (!options.noop) cleanStaleStageFiles(config.resources, logger);
    let code: number;
    if (options.mode === 'onetime') {
      code = await runOnce(config, backend, pipeline, logger);
    } else {
      // The daemon and the reporter are loaded by the runs that use them: a one-shot run starts without them.
      const { runDaemon } = await import('../daemon/daemon.js');
      const reporter = options.report ? await startReporter(backend, options.reportPrefix, options.report, logger) : undefined;
      try {
        code = await runDaemon(options, config, backend, pipeline, logger, reporter ? { onRound: reporter.record } : {});
      } finally {
        await reporter?.close();
      }
    }
    await backend.close();
    return exitWith(code);
  } catch (err) {
    await backend?.close().catch(() => undefined);
    return exitWith(reportError(err, logger));
  }
};
