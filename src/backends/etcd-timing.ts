// Timeouts, backoff with jitter and error rate limiting for the etcd watch
// loop: nothing here knows about etcd itself.

/** Rejects with onTimeout() when the promise has not settled within ms. */
export const withTimeout = async <T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
};

export interface Backoff {
  /** The next delay (ms): exponential, capped, with full jitter so many watchers do not retry in step. */
  next(): number;
  reset(): void;
}

export const createBackoff = (initialMs: number, maxMs: number, random: () => number = Math.random): Backoff => {
  let attempt = 0;
  return {
    next: () => {
      const ceiling = Math.min(maxMs, initialMs * 2 ** attempt);
      attempt = Math.min(attempt + 1, 30);
      return Math.round(ceiling / 2 + (random() * ceiling) / 2);
    },
    reset: () => {
      attempt = 0;
    },
  };
};

/**
 * Passes an error on unless the same message was passed on less than
 * intervalMs ago, so a long outage does not flood the log.
 */
export const createErrorThrottle = (
  report: (err: Error) => void,
  intervalMs: number,
  now: () => number = Date.now,
): ((err: Error) => void) => {
  const lastSent = new Map<string, number>();
  return (err) => {
    const at = now();
    const previous = lastSent.get(err.message);
    if (previous !== undefined && at - previous < intervalMs) return;
    lastSent.set(err.message, at);
    if (lastSent.size > 100) lastSent.delete(lastSent.keys().next().value as string);
    report(err);
  };
};

/** A sleep that close() can cut short. */
export interface Sleeper {
  sleep(ms: number): Promise<void>;
  wake(): void;
}

export const createSleeper = (): Sleeper => {
  const pending = new Set<() => void>();
  return {
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          pending.delete(done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        pending.add(done);
      }),
    wake: () => {
      for (const done of [...pending]) done();
    },
  };
};
