// The option table (src/config/option-table.ts) as yargs options, and back:
// the run, bluegreen and check declare and read their options through these
// two functions, so a flag means the same in every command.
import type { Argv } from 'yargs';
import { RUN_OPTIONS, type OptionSpec } from '../config/option-table.js';

export const addTableOptions = <T>(y: Argv<T>, specs: readonly OptionSpec[], group: string): Argv<T> => {
  let out = y;
  for (const spec of specs) {
    const type = spec.type === 'list' ? 'string' : spec.type;
    const describe = spec.defaultText ? `${spec.describe} [default: ${spec.defaultText}]` : spec.describe;
    out = out.option(spec.flag, { type, describe, array: spec.type === 'list' ? true : undefined, group }) as Argv<T>;
  }
  return out;
};

/** The flags the user actually gave, by RunOptions property name. */
export const givenFlags = (argv: Record<string, unknown>, specs: readonly OptionSpec[] = RUN_OPTIONS): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const spec of specs) {
    const v = argv[spec.flag];
    if (v !== undefined) out[spec.name] = v;
  }
  return out;
};
