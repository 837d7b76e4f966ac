// The long-running loop: resources wake on changes of their keys (or on a
// timer with --interval), settle through their quiescence window, and are
// processed in rounds that share one snapshot. Only one round runs at a time;
// changes that arrive during a round are picked up by the next one.
import type { Backend } from '../backends/backend.js';
import type { Quiescence, TemplateResource } from '../config/resource.js';
import type { Logger } from '../log.js';
import { logOutcomes, processRound, type ResourceOutcome, type RoundInput } from './process-resources.js';
import type { Configuration } from './configuration.js';
import { createBackoff } from '../backends/retry.js';
import { createDebouncer, type Debouncer } from './quiescence.js';
import { createWatchRegistry } from './watch-registry.js';

export interface ChangeLoopOptions {
  backend: Backend;
  logger: Logger;
  pipeline: RoundInput['pipeline'];
  /** Global --wait; a resource's own `wait` wins. */
  wait?: Quiescence;
  /** Poll every N seconds instead of watching. */
  intervalSeconds?: number;
  /** Called after every round (status, metrics, readiness). */
  onRound?: (outcomes: ResourceOutcome[]) => void;
}

export interface ChangeLoop {
  /** Processes every resource once, then keeps watching. Resolves after the first round. */
  start(config: Configuration): Promise<void>;
  /** Swaps in a new configuration (SIGHUP) and processes every resource of it. */
  reload(config: Configuration): Promise<void>;
  /** Finishes the resource in flight, closes every watch. */
  stop(): Promise<void>;
  /** Resolves when the current round (if any) and the queued ones are done. */
  idle(): Promise<void>;
}

/** How long the first round waits for watches to be established. */
const WATCH_SETUP_MS = 5_000;

export const createChangeLoop = (opts: ChangeLoopOptions): ChangeLoop => {
  const { backend, logger } = opts;
  let config: Configuration = { resources: [], templates: new Map() };
  const debouncers = new Map<string, Debouncer>();
  const ready = new Set<string>();
  let round: Promise<void> | undefined;
  let stopping = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let intervalTimer: NodeJS.Timeout | undefined;
  const retryBackoff = createBackoff(1_000, 30_000);
  const registry = createWatchRegistry(backend, logger, (users, what) => {
    logger.debug('change', { watch: what, resources: [...users] });
    for (const name of users) touch(name);
  });

  const byName = (name: string): TemplateResource | undefined => config.resources.find((r) => r.name === name);

  const touch = (name: string): void => {
    if (stopping) return;
    let d = debouncers.get(name);
    if (!d) {
      d = createDebouncer(byName(name)?.wait ?? opts.wait, () => {
        ready.add(name);
        kick();
      });
      debouncers.set(name, d);
    }
    d.touch();
  };

  let scheduled = false;
  const kick = (): void => {
    if (round || scheduled || stopping) return;
    scheduled = true;
    // Start on the next turn of the event loop, so that every resource woken
    // by the same change (or by timers firing together) joins one round and
    // shares one snapshot.
    setImmediate(() => {
      scheduled = false;
      if (round || stopping) return;
      round = drain().finally(() => {
        round = undefined;
        // A change may have landed between the last check and the finally.
        if (ready.size > 0 && !stopping) kick();
      });
    });
  };

  const drain = async (): Promise<void> => {
    while (ready.size > 0 && !stopping) {
      const names = new Set(ready);
      ready.clear();
      const resources = config.resources.filter((r) => names.has(r.name));
      const outcomes = await processRound({
        backend,
        logger,
        pipeline: opts.pipeline,
        resources,
        templates: config.templates,
        stopping: () => stopping,
      });
      logOutcomes(outcomes, logger);
      await afterRound(outcomes);
    }
  };

  const afterRound = async (outcomes: ResourceOutcome[]): Promise<void> => {
    await Promise.all(outcomes.map((o) => registry.setServices(o.resource.name, o.services)));
    const fetchFailed = outcomes.filter((o) => !o.ok && o.error.stage === 'fetch').map((o) => o.resource.name);
    if (fetchFailed.length > 0) scheduleRetry(fetchFailed);
    else retryBackoff.reset();
    opts.onRound?.(outcomes);
  };

  // The store was unreachable: try again later even if no watch fires.
  const scheduleRetry = (names: string[]): void => {
    if (retryTimer || stopping) return;
    const delay = retryBackoff.next();
    logger.info('will retry', { resources: names, inMs: delay });
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      for (const n of names) ready.add(n);
      kick();
    }, delay);
  };

  const scheduleInterval = (): void => {
    if (opts.intervalSeconds === undefined || stopping) return;
    intervalTimer = setTimeout(() => {
      for (const r of config.resources) ready.add(r.name);
      kick();
      scheduleInterval();
    }, opts.intervalSeconds * 1000);
  };

  const watchAll = async (): Promise<void> => {
    if (opts.intervalSeconds !== undefined) return;
    const setup = Promise.all(config.resources.map((r) => registry.setPaths(r.name, r.paths)));
    // Watches first, snapshot second: nothing written in between is missed.
    // A store that is down must not hold up the first round forever.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([setup, new Promise((r) => (timer = setTimeout(r, WATCH_SETUP_MS)))]);
    clearTimeout(timer);
  };

  const processAll = async (): Promise<void> => {
    for (const r of config.resources) ready.add(r.name);
    kick();
    await idle();
  };

  const idle = async (): Promise<void> => {
    while (round || scheduled) {
      if (round) await round;
      else await new Promise((r) => setImmediate(r));
    }
  };

  return {
    start: async (initial) => {
      config = initial;
      await watchAll();
      await processAll();
      scheduleInterval();
    },
    reload: async (next) => {
      await idle();
      for (const d of debouncers.values()) d.cancel();
      debouncers.clear();
      const gone = config.resources.filter((r) => !next.resources.some((n) => n.name === r.name));
      config = next;
      await Promise.all(gone.flatMap((r) => [registry.setPaths(r.name, []), registry.setServices(r.name, [])]));
      await watchAll();
      await processAll();
    },
    stop: async () => {
      stopping = true;
      clearTimeout(retryTimer);
      clearTimeout(intervalTimer);
      for (const d of debouncers.values()) d.cancel();
      await idle();
      await registry.closeAll();
    },
    idle,
  };
};
