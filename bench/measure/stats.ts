// Summaries of timing samples and a plain-text table printer, so every
// benchmark reports the same way (min / median / p90 / max in ms).

export interface Summary {
  n: number;
  min: number;
  median: number;
  p90: number;
  max: number;
}

/** Nearest-rank percentile of sorted samples (p in 0..100). */
const percentile = (sorted: readonly number[], p: number): number => {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
};

export const summarize = (samples: readonly number[]): Summary => {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    min: sorted[0] ?? Number.NaN,
    median: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    max: sorted.at(-1) ?? Number.NaN,
  };
};

export const ms = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : '-');

/** Prints rows as an aligned Markdown table (pasteable into bench/README.md). */
export const printTable = (headers: readonly string[], rows: readonly (readonly string[])[]): void => {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(line(headers));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
};

/** One table row for a timing summary. */
export const summaryRow = (label: string, s: Summary): string[] => [label, String(s.n), ms(s.min), ms(s.median), ms(s.p90), ms(s.max)];

export const SUMMARY_HEADERS = ['case', 'runs', 'min', 'median', 'p90', 'max'] as const;
