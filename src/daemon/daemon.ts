// Watch or interval mode as a service: readiness after the first round,
// SIGHUP re-reads configuration and templates, SIGTERM/SIGINT at any moment
// finish the resource in flight and exit 0. Whatever happens, the status
// server and the signal handlers are gone when this returns or throws.
import type { Backend } from '../backends/backend.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import type { RunOptions } from '../config/run-options.js';
import { notifyReady, notifyStopping, startWatchdog } from '../systemd/notify.js';
import { createChangeLoop, type ChangeLoop } from './change-loop.js';
import { loadConfiguration, type Configuration } from './configuration.js';
import type { ResourceOutcome, RoundInput } from './process-resources.js';
import { cleanStaleStageFiles } from '../resource/pipeline.js';
import { startStatusServer } from './status-server.js';
import { createHeapTuning, LARGE_SNAPSHOT_KEYS } from './heap-tuning.js';

export interface DaemonHooks {
  onRound?: (outcomes: ResourceOutcome[]) => void;
}

type DaemonOptions = Pick<RunOptions, 'confdir' | 'prefix' | 'noop' | 'wait' | 'intervalSeconds' | 'metricsAddr' | 'policy' | 'historyDir' | 'report' | 'reportPrefix'>;

/** SIGHUP: a new configuration replaces the running one; a broken one is refused. */
const hangupHandler = (options: DaemonOptions, loop: ChangeLoop, logger: Logger) => {
  let reloading: Promise<void> = Promise.resolve();
  const onHangup = (): void => {
    reloading = reloading.then(async () => {
      logger.info('SIGHUP: reloading configuration and templates', { confdir: options.confdir });
      try {
        const next = await loadConfiguration(options.confdir, options.prefix, options.policy);
        // --noop writes nothing, and removes nothing either.
        if (!options.noop) cleanStaleStageFiles(next.resources, logger);
        await loop.reload(next);
        logger.info('configuration reloaded', { resources: next.resources.length });
      } catch (err) {
        logger.error('reload failed; keeping the previous configuration', { error: messageOf(err) });
      }
    });
  };
  return { onHangup, settled: () => reloading };
};

/** Resolves with the name of the first SIGTERM or SIGINT; `remove` takes the handlers away. */
const stopSignal = () => {
  let onStop: (signal: NodeJS.Signals) => void = () => undefined;
  const received = new Promise<NodeJS.Signals>((resolve) => (onStop = resolve));
  process.once('SIGTERM', onStop);
  process.once('SIGINT', onStop);
  return {
    received,
    remove: () => {
      process.off('SIGTERM', onStop);
      process.off('SIGINT', onStop);
    },
  };
};

export const runDaemon = async (
  options: DaemonOptions,
  initial: Configuration,
  backend: Backend,
  pipeline: RoundInput['pipeline'],
  logger: Logger,
  hooks: DaemonHooks = {},
): Promise<number> => {
  const heap = createHeapTuning();
  const status = options.metricsAddr
    ? await startStatusServer(options.metricsAddr, logger, {
        backend,
        resources: initial.resources,
        historyDir: options.historyDir,
        ...(options.report ? { fleetPrefix: options.reportPrefix } : {}),
      })
    : undefined;
  const loop = createChangeLoop({
    backend,
    logger,
    pipeline,
    wait: options.wait,
    intervalSeconds: options.intervalSeconds,
    onSnapshot: (keys) => {
      const flag = heap.observe(keys);
      if (flag) logger.debug(`first snapshot under ${LARGE_SNAPSHOT_KEYS} keys: heap set back to ${flag}`, { keys });
    },
    onRound: (outcomes) => {
      status?.record(outcomes);
      hooks.onRound?.(outcomes);
    },
  });
  const hangup = hangupHandler(options, loop, logger);
  const stop = stopSignal();
  let stopWatchdog = (): void => undefined;
  process.on('SIGHUP', hangup.onHangup);
  try {
    const mode = options.intervalSeconds !== undefined ? `interval ${options.intervalSeconds}s` : 'watch';
    logger.info('starting', { mode, backend: backend.name, resources: initial.resources.length });
    const started = loop.start(initial).then(() => 'started' as const);
    if ((await Promise.race([started, stop.received])) === 'started') {
      await notifyReady({ logger });
      stopWatchdog = startWatchdog({ logger });
      logger.info('ready; watching for changes', { mode });
    }
    const signal = await stop.received;
    logger.info(`${signal}: finishing the resource in flight, then exiting`);
    await notifyStopping({ logger });
    // Stop first: a round of the first start or of a SIGHUP ends after its resource in flight.
    await loop.stop();
    await Promise.all([started, hangup.settled()]);
    logger.info('stopped');
    return 0;
  } finally {
    stopWatchdog();
    stop.remove();
    process.off('SIGHUP', hangup.onHangup);
    await loop.stop();
    await status?.close();
  }
};
