// The default command: --onetime, watch or --interval. Only its options
// live here; the run itself is imported when it runs, so --help and the
// other commands start fast.
import type { Argv } from 'yargs';
import { RUN_OPTIONS } from '../config/option-table.js';
import { addTableOptions } from './options.js';

export const addRunOptions = <T>(y: Argv<T>): Argv<T> => addTableOptions(y, RUN_OPTIONS, 'Run options:');

/** The run, imported only when the default command runs. */
export const runCommandLazily = async (argv: Record<string, unknown>): Promise<void> =>
  (await import('./run-handler.js')).runCommand(argv);
