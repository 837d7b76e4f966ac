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

/**
 * Checks the command line before a bench starts its servers: `--help` prints
 * `usage` and exits 0; an argument that is none of the bench's flags (`withValue`
 * take the next argument, `alone` none) prints it and exits 2, instead of a
 * long run with defaults the caller did not ask for.
 */
export const checkFlags = (usage: string, withValue: readonly string[], alone: readonly string[] = []): void => {
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    }
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (name !== undefined && withValue.includes(name) && i + 1 < args.length) i++;
    else if (name === undefined || !alone.includes(name)) {
      const known = [...withValue.map((f) => `--${f} VALUE`), ...alone.map((f) => `--${f}`)].join(', ');
      process.stderr.write(`${withValue.includes(name ?? '') ? `${arg} needs a value` : `unknown argument ${arg}`} (flags: ${known || 'none'})\n${usage}\n`);
      process.exit(2);
    }
  }
};
