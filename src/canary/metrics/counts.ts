// Per-color tallies shared by the metric sources.
import type { Color } from '../../bluegreen/types.js';
import type { ColorCounts, CountsByColor } from '../metric-source.js';

export const zeroCounts = (): CountsByColor => ({ blue: { requests: 0, failures: 0 }, green: { requests: 0, failures: 0 } });

export const addCounts = (into: ColorCounts, more: ColorCounts): void => {
  into.requests += more.requests;
  into.failures += more.failures;
};

export const copyCounts = (counts: CountsByColor): CountsByColor => ({ blue: { ...counts.blue }, green: { ...counts.green } });

/** The color whose addr (host:port, compared as written) is `addr`, if any. */
export const colorOfAddr = (addr: string, addrs: Record<Color, string>): Color | undefined => {
  const wanted = addr.trim();
  if (wanted === '') return undefined;
  if (wanted === addrs.blue.trim()) return 'blue';
  if (wanted === addrs.green.trim()) return 'green';
  return undefined;
};
