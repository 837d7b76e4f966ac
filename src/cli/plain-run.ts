// The command line of a plain run (`switchyard --onetime --confdir DIR ...`,
// the way deploy scripts and confd's users call it), read without yargs:
// loading yargs and every command's definition costs more start-up time than
// a small one-shot run takes. Only the simple shapes are read here: every
// argument a run option from the table, `--flag value` or `--flag=value`,
// a boolean flag alone, each non-list flag once. Anything else (another
// command, --help, --version, `--no-x`, a flag yargs would read differently,
// an unknown flag, a positional argument) returns undefined and yargs reads
// the whole command line, with its usage errors.
import { RUN_OPTIONS, type OptionSpec } from '../config/option-table.js';

const SPECS: ReadonlyMap<string, OptionSpec> = new Map(RUN_OPTIONS.map((s) => [s.flag, s]));

/** A count as yargs reads it for a number option; other spellings go through yargs. */
const PLAIN_NUMBER = /^(0|[1-9][0-9]{0,14})$/;

/** The flags of a plain run, as yargs would give them (flag name → value), or undefined. */
export const plainRunArgs = (args: readonly string[]): Record<string, unknown> | undefined => {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith('--')) return undefined;
    const eq = arg.indexOf('=');
    const flag = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = SPECS.get(flag);
    if (!spec) return undefined;
    if (spec.type === 'boolean') {
      // `--onetime true`, `--onetime=false`: yargs' reading, through yargs.
      if (eq >= 0 || out[flag] !== undefined || /^(true|false)$/.test(args[i + 1] ?? '')) return undefined;
      out[flag] = true;
      continue;
    }
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      const next = args[i + 1];
      // No value, or one that looks like a flag: yargs decides.
      if (next === undefined || next.startsWith('-')) return undefined;
      value = next;
      i++;
    }
    if (spec.type === 'list') {
      const list = (out[flag] ??= []) as string[];
      list.push(value);
      continue;
    }
    // A flag given twice becomes an array in yargs: through yargs.
    if (out[flag] !== undefined) return undefined;
    if (spec.type === 'number') {
      if (!PLAIN_NUMBER.test(value)) return undefined;
      out[flag] = Number(value);
    } else out[flag] = value;
  }
  return out;
};
