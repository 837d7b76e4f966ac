// The long-running loop: resources wake on changes of their keys (or on a
// timer with --interval), settle through their quiescence window, and are
// processed in rounds that share one snapshot. Only one round runs at a time;
// changes that arrive during a round are picked up by the next one. A
// resource that failed is tried again with backoff. A round ends when its
// files are live; the disk work after that goes to a settler (resource/settle.ts).
//
//   watch registry ──change──▶ wakeups (quiescence) ──┐
//   interval timer ──────────────────────────────────┼──▶ round queue ──▶ processRound
//   retry schedule ◀──failures── after each round ◀──┘
import type { Backend } from '../backends/backend.js';
import type { Quiescence } from '../config/resource.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import { createSettler } from '../resource/settle.js';
import type { Configuration } from './configuration.js';
import { createIntervalTimer } from './interval-timer.js';
import { logOutcomes, processRound, type ResourceOutcome, type RoundInput } from './process-resources.js';
import { createRetrySchedule } from './retry-schedule.js';
import { createRoundQueue } from './round-queue.js';
import { createWakeups } from './wakeups.js';
import { createWatchRegistry, watchEvery } from './watch-registry.js';

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
  /** Told how many keys each round's snapshot holds. */
  onSnapshot?: (keys: number) => void;
}

export interface ChangeLoop {
  /** Processes every resource once, then keeps watching. Resolves after the first round. */
  start(config: Configuration): Promise<void>;
  /** Swaps in a new configuration (SIGHUP) and processes every resource of it. */
  reload(config: Configuration): Promise<void>;
  /** At any moment: finishes the resource in flight, starts nothing more, closes every watch. */
  stop(): Promise<void>;
  /** Resolves when the current round (if any) and the queued ones are done. */
  idle(): Promise<void>;
}

/** How long the first round waits for watches to be established. */
const WATCH_SETUP_MS = 5_000;

export const createChangeLoop = (opts: ChangeLoopOptions): ChangeLoop => {
  const { backend, logger } = opts;
  let config: Configuration = { resources: [], templates: new Map() };
  const allNames = (): string[] => config.resources.map((r) => r.name);
  /** Its template names `consulServices`: the service list is watched from the start, even when a render fails. */
  const readsServiceList = (name: string): boolean => config.templates.get(name)?.inferred.serviceList === true;

  // What follows a file going live (its directory's fsync, the backup's
  // removal, the history entry) does not hold up the next round.
  const settler = createSettler((err) => logger.error('work after an update failed', { err: messageOf(err) }));
  const pipeline = { ...opts.pipeline, settle: settler };
  const idle = async (): Promise<void> => {
    await rounds.idle();
    await settler.settled();
  };

  // Marked at each round's start: the work of the rounds before it.
  let beforeLastRound: Promise<void> = Promise.resolve();
  const rounds = createRoundQueue(async (names, stopped) => {
    // The previous round's disk work may still run; the one before it must be done (settle.ts).
    await beforeLastRound;
    beforeLastRound = settler.mark();
    const resources = config.resources.filter((r) => names.has(r.name));
    const outcomes = await processRound({
      backend,
      logger,
      pipeline,
      resources,
      templates: config.templates,
      stopping: stopped,
      onSnapshot: opts.onSnapshot,
    });
    logOutcomes(outcomes, logger);
    await Promise.all(
      outcomes.flatMap((o) => [
        registry.setServices(o.resource.name, o.services),
        registry.setServiceList(o.resource.name, o.serviceList === true || readsServiceList(o.resource.name)),
      ]),
    );
    retries.record(outcomes);
    opts.onRound?.(outcomes);
  });
  const wakeups = createWakeups(
    (name) => config.resources.find((r) => r.name === name)?.wait ?? opts.wait,
    (name) => rounds.add([name]),
  );
  const registry = createWatchRegistry(backend, logger, (users, what) => {
    logger.debug('change', { watch: what, resources: [...users] });
    if (!rounds.stopped()) for (const name of users) wakeups.touch(name);
  });
  const retries = createRetrySchedule(logger, (names) => rounds.add(names));
  const interval = createIntervalTimer(opts.intervalSeconds, () => rounds.add(allNames()));

  const watchAll = async (): Promise<void> => {
    if (opts.intervalSeconds === undefined) {
      const resources = config.resources.map((r) => ({ name: r.name, paths: r.paths, serviceList: readsServiceList(r.name) }));
      await watchEvery(registry, resources, WATCH_SETUP_MS, () => {
        logger.debug('watches established after the first snapshot: reading again');
        rounds.add(allNames());
      });
    }
  };
  const processAll = async (): Promise<void> => {
    rounds.add(allNames());
    await rounds.idle();
  };

  return {
    start: async (initial) => {
      config = initial;
      await watchAll();
      await processAll();
      interval.start();
    },
    reload: async (next) => {
      await rounds.idle();
      if (rounds.stopped()) return;
      wakeups.cancelAll();
      retries.clear();
      const gone = config.resources.filter((r) => !next.resources.some((n) => n.name === r.name));
      config = next;
      await Promise.all(
        gone.flatMap((r) => [registry.setPaths(r.name, []), registry.setServices(r.name, []), registry.setServiceList(r.name, false)]),
      );
      await watchAll();
      await processAll();
    },
    stop: async () => {
      rounds.stop();
      interval.stop();
      retries.stop();
      wakeups.cancelAll();
      await idle();
      await registry.closeAll();
    },
    idle,
  };
};
