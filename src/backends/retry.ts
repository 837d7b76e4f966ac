// What the backends' watch loops (and the daemon's retries) share: backoff,
// timeouts, error rate limiting and interruptible sleeps.

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

/** Exponential backoff with full jitter, for retries after a failure. */
export interface Backoff {
  /** The next delay (ms), growing up to maxMs. */
  next(): number;
  reset(): void;
}

export const createBackoff = (baseMs = 500, maxMs = 30_000, random: () => number = Math.random): Backoff => {
  let attempt = 0;
  return {
    next: () => {
      const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
      attempt = Math.min(attempt + 1, 30);
      return Math.round(ceiling / 2 + (random() * ceiling) / 2);
    },
    reset: () => {
      attempt = 0;
    },
  };
};
