// Tiny flag readers for the bench scripts: `--runs 5` style integers, `--only x` style text.
export const intFlag = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  const raw = at >= 0 ? process.argv[at + 1] : undefined;
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} expects a positive integer, got ${raw}`);
  return value;
};

/** The text after `--name`: undefined when the flag is not given, "" when nothing follows it. */
export const stringFlag = (name: string): string | undefined => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? '') : undefined;
};
