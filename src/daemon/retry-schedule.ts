// A resource whose last attempt failed (store unreachable, read-only or full
// disk, a check or reload that failed) is tried again with backoff, even when
// none of its keys changes: the dest converges once the cause clears.
import { createBackoff, type Backoff } from '../backends/retry.js';
import type { Logger } from '../log.js';
import type { ResourceOutcome } from './process-resources.js';

export interface RetrySchedule {
  /** Failures are retried later; a success forgets the resource. */
  record(outcomes: readonly ResourceOutcome[]): void;
  /** Forgets every failure and the backoff (SIGHUP processes everything anyway). */
  clear(): void;
  /** Clears, and schedules nothing more. */
  stop(): void;
}

export const createRetrySchedule = (
  logger: Logger,
  due: (names: string[]) => void,
  backoff: Backoff = createBackoff(1_000, 30_000),
): RetrySchedule => {
  const failing = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const clear = (): void => {
    failing.clear();
    clearTimeout(timer);
    timer = undefined;
    backoff.reset();
  };

  return {
    record: (outcomes) => {
      for (const o of outcomes) {
        if (o.ok) failing.delete(o.resource.name);
        else failing.add(o.resource.name);
      }
      if (failing.size === 0) {
        clear();
        return;
      }
      if (timer || stopped) return;
      const delay = backoff.next();
      logger.info('will retry', { resources: [...failing], inMs: delay });
      timer = setTimeout(() => {
        timer = undefined;
        due([...failing]);
      }, delay);
    },
    clear,
    stop: () => {
      stopped = true;
      clear();
    },
  };
};
