// One request over the endpoints of a clustered store. Reads are hedged: the
// preferred endpoint first and, when it has not answered within its hedge
// delay, the next one too; the first good answer wins. A down endpoint whose
// cool-down ran out is probed with a copy of the read, so finding out whether
// it is back never delays anyone. Writes go to one endpoint at a time and move
// on only after a failure.
import type { EndpointHealth } from './health.js';

export interface RaceOptions {
  health: EndpointHealth;
  /** No answer, or the member said it cannot serve now: another endpoint may. */
  isTransient(err: unknown): boolean;
  /** A failure that says nothing about the endpoint (the client was closed under it). */
  ignore?(err: unknown): boolean;
  /** Describes a failure for the log. */
  describe(err: unknown): string;
  /** Ask the next endpoint when one is slow (reads), or only when it failed (writes). */
  hedge: boolean;
  now?: () => number;
}

/**
 * Runs `attempt` on one endpoint and tells the health tracker how it went:
 * an answer (even an error) counts as up, no answer within stallMs or a
 * transport failure as down.
 */
export const trackAttempt = async <T>(o: RaceOptions, endpoint: string, probe: boolean, attempt: (endpoint: string) => Promise<T>): Promise<T> => {
  const now = o.now ?? Date.now;
  const started = now();
  let stalled = false;
  const stallMs = o.health.stallMs(endpoint);
  const timer =
    o.health.endpoints.length > 1
      ? setTimeout(() => {
          stalled = true;
          o.health.failed(endpoint, `no answer within ${stallMs} ms`, probe);
        }, stallMs)
      : undefined;
  try {
    const value = await attempt(endpoint);
    o.health.succeeded(endpoint, now() - started);
    return value;
  } catch (err) {
    if (o.ignore?.(err) === true) throw err;
    if (!o.isTransient(err)) o.health.succeeded(endpoint);
    else if (!stalled) o.health.failed(endpoint, o.describe(err), probe);
    throw err;
  } finally {
    clearTimeout(timer);
  }
};

export const raceEndpoints = <T>(o: RaceOptions, attempt: (endpoint: string) => Promise<T>): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const probe = o.hedge ? o.health.takeProbe() : undefined;
    const queue = o.health.order().filter((e) => e !== probe);
    let settled = false;
    let running = 0;
    let lastError: unknown;
    let timer: NodeJS.Timeout | undefined;

    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const startNext = (): boolean => {
      clearTimeout(timer);
      const endpoint = queue.shift();
      if (endpoint === undefined) return false;
      launch(endpoint, false);
      if (o.hedge && queue.length > 0) timer = setTimeout(startNext, o.health.hedgeDelayMs(endpoint));
      return true;
    };
    const launch = (endpoint: string, isProbe: boolean): void => {
      running += 1;
      trackAttempt(o, endpoint, isProbe, attempt).then(
        (value) => {
          running -= 1;
          finish(() => resolve(value));
        },
        (err: unknown) => {
          running -= 1;
          if (settled) return;
          // An endpoint that answered with an error speaks for the cluster (permission denied, compacted).
          if (!o.isTransient(err) && !isProbe) return finish(() => reject(err));
          if (!isProbe || lastError === undefined) lastError = err;
          if (!isProbe && startNext()) return;
          if (running === 0 && queue.length === 0) finish(() => reject(lastError));
        },
      );
    };

    startNext();
    if (probe !== undefined) launch(probe, true);
  });
