// One long-poll loop per watched thing (a KV path, a service): Consul
// blocking queries with `index` and `wait`. The data is compared, not only
// the index, so wake-ups with equal data (timeouts, writes to a sibling key
// under the same prefix) stay silent. It never gives up while Consul is away.
import type { Logger } from '../../log.js';
import { createBackoff, createErrorThrottle, createSleeper } from '../retry.js';
import type { WatchHandle, WatchListener } from '../backend.js';

export interface WatchTiming {
  /** Longest a blocking query waits on the server (s). */
  waitSeconds: number;
  /**
   * Least time between the starts of two queries (ms) when the first one
   * brought nothing new or did not block: a cap on the rate of wake-ups that
   * carry no change. A blocking query that returns a change is followed by the
   * next one at once (consul-template: 100 ms, the same rule).
   */
  minGapMs: number;
  /** Backoff after errors (ms). */
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export const DEFAULT_WATCH_TIMING: WatchTiming = { waitSeconds: 60, minGapMs: 100, backoffBaseMs: 250, backoffMaxMs: 10_000 };

/** One query of the watched thing; `index` 0 means a plain (non-blocking) read. */
export type WatchQuery = (index: number) => Promise<{ index: number; fingerprint: string }>;

export interface BlockingWatchOptions {
  /** For logs: `key "app/live"`, `service "web"`. */
  what: string;
  query: WatchQuery;
  /** Aborts the request in flight, so close() does not wait for a long poll. */
  abort: () => void;
  timing: WatchTiming;
  logger: Logger;
  /** Call onChange at once when the first read's index is past this (a change since that snapshot). */
  afterIndex?: number;
}

export const startBlockingWatch = async (listener: WatchListener, o: BlockingWatchOptions): Promise<WatchHandle> => {
  const sleeper = createSleeper();
  const backoff = createBackoff(o.timing.backoffBaseMs, o.timing.backoffMaxMs);
  const reportError = createErrorThrottle((err) => listener.onError(err), 30_000);
  let closed = false;
  let index = 0;
  let known: string | undefined;
  let lastStart = 0;
  /** The last answer brought no change, or came from a plain read: pace the next query. */
  let paced = false;

  const notify = (): void => {
    try {
      listener.onChange();
    } catch (err) {
      o.logger.error('watch listener failed', { watch: o.what, error: err });
    }
  };

  /** One query; true when the data differs from what was known. */
  const step = async (): Promise<boolean> => {
    const gap = paced ? lastStart + o.timing.minGapMs - Date.now() : 0;
    if (gap > 0) await sleeper.sleep(gap);
    if (closed) return false;
    lastStart = Date.now();
    const sent = index;
    const answer = await o.query(sent);
    if (answer.index < sent) o.logger.debug('consul index went backwards; starting over from a fresh read', { watch: o.what, was: sent, now: answer.index });
    // The same index back means the wait ran out, or the query was cut short by
    // an agent shutting down: a plain read re-learns the index, in case the
    // agent came back with less data (a restarted -dev agent starts over low,
    // and a query above its index would block for the whole wait).
    // An index of 0 cannot block either: the next query is a plain read, paced by minGapMs.
    index = sent > 0 && answer.index === sent ? 0 : answer.index;
    const changed = answer.fingerprint !== known;
    known = answer.fingerprint;
    // Errors are paced by the backoff in loop().
    paced = !changed || sent === 0;
    return changed;
  };

  const first = await step().catch((err: unknown) => {
    reportError(err as Error);
    return undefined;
  });
  if (first !== undefined && o.afterIndex !== undefined && index > o.afterIndex) queueMicrotask(notify);

  const loop = async (): Promise<void> => {
    while (!closed) {
      try {
        if (await step()) {
          notify();
          // The round the change wakes starts on the next turn of the event
          // loop; sending the next query first (its request built, the HTTP
          // client's work) would delay that round's render and write.
          await new Promise((resolve) => setImmediate(resolve));
        }
        backoff.reset();
      } catch (err) {
        if (closed) return;
        reportError(err as Error);
        // After an outage start from a fresh read: a restarted agent's index may be lower.
        index = 0;
        await sleeper.sleep(backoff.next());
      }
    }
  };
  const running = loop();

  return {
    close: async () => {
      if (closed) return;
      closed = true;
      sleeper.wake();
      o.abort();
      await running;
    },
  };
};
