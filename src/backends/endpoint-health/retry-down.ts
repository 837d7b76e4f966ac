// An endpoint marked down is tried again once its cool-down has run out.
// Hedged reads do that as they go (race.ts sends a due endpoint a copy of
// the read), but a watch daemon reads rarely, its rounds being served from
// the watch, so the backend also asks a due endpoint a question of its own.
import { messageOf } from '../../errors.js';
import type { EndpointHealth } from './health.js';

export interface RetryDownOptions {
  health: EndpointHealth;
  /** A quick request to one endpoint; rejects only when it did not answer in timeoutMs. */
  probe(endpoint: string, timeoutMs: number): Promise<void>;
  describe?: (err: unknown) => string;
  everyMs?: number;
}

/** Starts the retries (with two endpoints or more); returns what stops them. */
export const retryDownEndpoints = (o: RetryDownOptions): (() => void) => {
  if (o.health.endpoints.length < 2) return () => undefined;
  const describe = o.describe ?? messageOf;
  const timer = setInterval(() => {
    const due = o.health.takeProbe();
    if (due === undefined) return;
    const started = Date.now();
    o.probe(due, o.health.stallMs(due)).then(
      () => o.health.succeeded(due, Date.now() - started),
      (err: unknown) => o.health.failed(due, describe(err), true),
    );
  }, o.everyMs ?? 500);
  timer.unref();
  return () => clearInterval(timer);
};
