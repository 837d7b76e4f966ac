// The canary's decision after one interval, from the new color's counts
// alone: promote to the next step, roll back (naming the measured rate), or
// wait for more requests. Never promotes without data.
import type { ColorCounts } from './metric-source.js';

export interface DecideInput {
  /** The new color's requests and failures since the interval began; undefined when the source saw nothing of it. */
  counts: ColorCounts | undefined;
  /** --max-error-rate, in percent (0–100): a higher rate rolls back. */
  maxErrorRatePercent: number;
  /** --min-requests (at least 1): fewer requests decide nothing. */
  minRequests: number;
  /** The wait for requests has used up its extensions: too few now fails instead of waiting. */
  lastChance: boolean;
}

export type Decision =
  | { action: 'promote'; requests: number; failures: number; ratePercent: number }
  | { action: 'rollback'; requests: number; failures: number; ratePercent?: number; reason: string }
  | { action: 'wait'; requests: number; failures: number; reason: string };

const isCount = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

/** failures / requests in percent, rounded to 2 decimals for messages. */
export const ratePercentOf = (failures: number, requests: number): number => (requests > 0 ? Math.round((failures / requests) * 10_000) / 100 : 0);

/** Integer-safe "failures / requests > max %", so 1 of 100 is not above 1%. */
const above = (failures: number, requests: number, maxPercent: number): boolean => failures * 100 > maxPercent * requests * (1 + 1e-12);

export const decide = (input: DecideInput): Decision => {
  const { counts, maxErrorRatePercent: max, minRequests, lastChance } = input;
  const requests = counts?.requests ?? 0;
  const failures = counts?.failures ?? 0;
  if (counts && (!isCount(requests) || !isCount(failures) || failures > requests)) {
    return { action: 'rollback', requests, failures, reason: `the metric source gave inconsistent counts (${failures} failures of ${requests} requests)` };
  }
  const needed = Math.max(1, minRequests);
  if (requests < needed) {
    const seen = counts ? `${requests} requests` : 'no data for the new color';
    const reason = `not enough data: ${seen}, --min-requests is ${needed}`;
    return lastChance ? { action: 'rollback', requests, failures, reason } : { action: 'wait', requests, failures, reason };
  }
  const ratePercent = ratePercentOf(failures, requests);
  if (above(failures, requests, max)) {
    return { action: 'rollback', requests, failures, ratePercent, reason: `error rate ${ratePercent}% (${failures} of ${requests} requests) is above --max-error-rate ${max}%` };
  }
  return { action: 'promote', requests, failures, ratePercent };
};
