// Durations as users write them: "200ms", "2s", "1m", "1.5s", or a bare
// number of seconds ("5").
import type { Quiescence } from './resource.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds, or undefined when the text is not a duration. */
export const parseDuration = (text: string): number | undefined => {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNITS[m[2] ?? 's']!);
};

/**
 * "MIN[:MAX]" → quiescence; MAX defaults to 4×MIN as consul-template does.
 * Returns an error message instead when the text is malformed.
 */
export const parseQuiescence = (text: string): Quiescence | string => {
  const [minText = '', maxText, extra] = text.split(':');
  if (extra !== undefined) return `expected MIN[:MAX], got "${text}"`;
  const minMs = parseDuration(minText);
  if (minMs === undefined) return `"${minText}" is not a duration (examples: 200ms, 2s, 1m)`;
  const maxMs = maxText === undefined ? minMs * 4 : parseDuration(maxText);
  if (maxMs === undefined) return `"${maxText}" is not a duration (examples: 200ms, 2s, 1m)`;
  if (maxMs < minMs) return `MAX (${maxText}) is shorter than MIN (${minText})`;
  return { minMs, maxMs };
};
