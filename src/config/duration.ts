// Durations as users write them: "200ms", "2s", "1m", "1.5s", or a bare
// number of seconds ("5").
import type { Quiescence } from './resource.js';

import { showValue } from './show-value.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The longest delay Node's timers keep (2^31-1 ms); a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;
const MAX_TIMER_TEXT = `${Math.floor(MAX_TIMER_MS / 1000)}s (about 24 days)`;

/** Milliseconds, or undefined when the text is not a duration. */
export const parseDuration = (text: string): number | undefined => {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNITS[m[2] ?? 's']!);
};

/**
 * A time limit or period from 1 ms to MAX_TIMER_MS, or a message naming the
 * value and what is wrong with it.
 */
export const parseTimerDuration = (text: string, minMs = 1): number | string => {
  // 0 is allowed only where minMs is 0; a positive minimum refuses it like any shorter value.
  const ms = parseDuration(text);
  if (ms === undefined) return `${showValue(text)} is not a duration (examples: 200ms, 2s, 1m)`;
  if (ms < minMs) return `${showValue(text)} is ${ms <= 0 ? 'not a positive duration' : `shorter than the minimum ${minMs}ms`}`;
  if (ms > MAX_TIMER_MS) return `${showValue(text)} is longer than the maximum ${MAX_TIMER_TEXT}`;
  return ms;
};

/**
 * "MIN[:MAX]" → quiescence; MAX defaults to 4×MIN as consul-template does.
 * Returns an error message instead when the text is malformed.
 */
export const parseQuiescence = (text: string): Quiescence | string => {
  const [minText = '', maxText, extra] = text.split(':');
  if (extra !== undefined) return `expected MIN[:MAX], got "${text}"`;
  const minMs = parseTimerDuration(minText, 0);
  if (typeof minMs === 'string') return minMs;
  const maxMs = maxText === undefined ? Math.min(minMs * 4, MAX_TIMER_MS) : parseTimerDuration(maxText, 0);
  if (typeof maxMs === 'string') return maxMs;
  if (maxMs < minMs) return `MAX (${maxText}) is shorter than MIN (${minText})`;
  return { minMs, maxMs };
};
