// The default command: --onetime, watch or --interval. Only its options
// live here; the run itself is imported when it runs, so --help and the
// other commands start fast.
import type { Argv } from 'yargs';
import type { BackendOptions } from '../backends/backend.js';
import { RUN_OPTIONS } from '../config/option-table.js';
import type { RunOptions } from '../config/run-options.js';

export const addRunOptions = <T>(y: Argv<T>): Argv<T> => {
  let out = y;
  for (const spec of RUN_OPTIONS) {
    const type = spec.type === 'list' ? 'string' : spec.type;
    const describe = spec.defaultText ? `${spec.describe} [default: ${spec.defaultText}]` : spec.describe;
    out = out.option(spec.flag, { type, describe, array: spec.type === 'list' ? true : undefined, group: 'Run options:' }) as Argv<T>;
  }
  return out;
};

/** The flags the user actually gave, by RunOptions property name. */
export const givenFlags = (argv: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const spec of RUN_OPTIONS) {
    const v = argv[spec.flag];
    if (v !== undefined) out[spec.name] = v;
  }
  return out;
};

export const backendOptionsOf = ({ nodes, files, username, password, authToken, clientCert, clientKey, clientCaKeys }: RunOptions): BackendOptions => ({
  nodes,
  files,
  username,
  password,
  authToken,
  clientCert,
  clientKey,
  clientCaKeys,
});

/** The run, imported only when the default command runs. */
export const runCommandLazily = async (argv: Record<string, unknown>): Promise<void> =>
  (await import('./run-handler.js')).runCommand(argv);
