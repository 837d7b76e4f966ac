// What a canary run is told by its flags, and what it needs from the process.
import type { MetricSourceSpec, OpenMetricSource } from './metric-source.js';

export interface CanaryOptions {
  /** --steps: the new color's percentage at each step, rising, ending at 100. */
  steps: number[];
  /** --interval */
  intervalMs: number;
  /** --max-error-rate, percent. */
  maxErrorRatePercent: number;
  /** --min-requests */
  minRequests: number;
  /** --metrics */
  metrics: MetricSourceSpec;
  /** Extra intervals an interval with fewer than --min-requests waits before the canary fails. */
  extensions: number;
}

export interface CanaryRuntime {
  openMetricSource: OpenMetricSource;
  /** Aborted on SIGTERM or SIGINT; its reason names the signal. */
  signal: AbortSignal;
  now: () => number;
  /** Who runs the canary, stored in its key. */
  pid: number;
  host: string;
  /** How often the canary key is re-read during an interval (an abort is noticed within this). */
  pollMs: number;
  /** Putting the weights back when the store fails: attempts, and the first pause between them. */
  restoreAttempts: number;
  restoreBackoffMs: number;
}

export const DEFAULT_EXTENSIONS = 2;

/** "10,50,100" → [10, 50, 100], or a message naming the value. */
export const parseSteps = (text: string): number[] | string => {
  const parts = text.split(',').map((p) => p.trim());
  const steps = parts.map(Number);
  if (parts.some((p) => !/^[0-9]{1,3}$/.test(p)) || steps.some((n) => n < 1 || n > 100)) {
    return `${JSON.stringify(text)}: expected percentages from 1 to 100 separated by commas, e.g. 10,50,100`;
  }
  if (steps.some((n, i) => i > 0 && n <= steps[i - 1]!)) return `${JSON.stringify(text)}: each step must be higher than the one before`;
  if (steps[steps.length - 1] !== 100) return `${JSON.stringify(text)}: the last step must be 100 (all traffic on the new color before it goes live)`;
  return steps;
};
