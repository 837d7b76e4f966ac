// Exponential backoff with full jitter, for retries after a failed fetch.

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
