// Watch or interval mode as a service: readiness after the first round,
// SIGHUP re-reads configuration and templates, SIGTERM/SIGINT finish the
// resource in flight and exit 0.
import type { Backend } from '../backends/backend.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import type { RunOptions } from '../config/run-options.js';
import { notifyReady, notifyStopping, startWatchdog } from '../systemd/notify.js';
import { createChangeLoop } from './change-loop.js';
import { loadConfiguration, type Configuration } from './configuration.js';
import type { ResourceOutcome, RoundInput } from './process-resources.js';
import { cleanStaleStageFiles } from '../resource/pipeline.js';

export interface DaemonHooks {
  onRound?: (outcomes: ResourceOutcome[]) => void;
}

export const runDaemon = async (
  options: RunOptions,
  initial: Configuration,
  backend: Backend,
  pipeline: RoundInput['pipeline'],
  logger: Logger,
  hooks: DaemonHooks = {},
): Promise<number> => {
  const loop = createChangeLoop({
    backend,
    logger,
    pipeline,
    wait: options.wait,
    intervalSeconds: options.intervalSeconds,
    onRound: hooks.onRound,
  });

  let reloading: Promise<void> = Promise.resolve();
  const onHangup = (): void => {
    reloading = reloading.then(async () => {
      logger.info('SIGHUP: reloading configuration and templates', { confdir: options.confdir });
      try {
        const next = await loadConfiguration(options.confdir, options.prefix, options.policy);
        await cleanStaleStageFiles(next.resources, logger);
        await loop.reload(next);
        logger.info('configuration reloaded', { resources: next.resources.length });
      } catch (err) {
        logger.error('reload failed; keeping the previous configuration', { error: messageOf(err) });
      }
    });
  };

  const stopped = new Promise<void>((resolve) => {
    const onStop = (signal: string): void => {
      logger.info(`${signal}: finishing the resource in flight, then exiting`);
      resolve();
    };
    process.once('SIGTERM', onStop);
    process.once('SIGINT', onStop);
  });
  process.on('SIGHUP', onHangup);

  const mode = options.intervalSeconds !== undefined ? `interval ${options.intervalSeconds}s` : 'watch';
  logger.info('starting', { mode, backend: backend.name, resources: initial.resources.length });
  await loop.start(initial);
  await notifyReady({ logger });
  const watchdog = startWatchdog({ logger });
  logger.info('ready; watching for changes', { mode });

  await stopped;
  await notifyStopping({ logger });
  watchdog();
  process.off('SIGHUP', onHangup);
  await reloading;
  await loop.stop();
  logger.info('stopped');
  return 0;
};
