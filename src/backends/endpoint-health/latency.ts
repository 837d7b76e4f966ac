// Recent answer times of one endpoint: a ring of the last samples, and the
// quantiles the hedge delay and the metrics are taken from.

export interface LatencyWindow {
  add(ms: number): void;
  /** The q-quantile (0..1) of the recent samples, undefined before the first. */
  quantile(q: number): number | undefined;
  count(): number;
}

export const createLatencyWindow = (size = 100): LatencyWindow => {
  const samples: number[] = [];
  let next = 0;
  return {
    add: (ms) => {
      if (samples.length < size) samples.push(ms);
      else samples[next] = ms;
      next = (next + 1) % size;
    },
    quantile: (q) => {
      if (samples.length === 0) return undefined;
      const sorted = [...samples].sort((a, b) => a - b);
      return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? sorted[0];
    },
    count: () => samples.length,
  };
};
