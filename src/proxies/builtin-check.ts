// A check_cmd of `switchyard check-fragment …` runs inside the daemon: the
// same check, without starting a new Node process on every change (that
// start-up was most of a switch's latency). Anything this parser does not
// recognise exactly runs as an ordinary command instead.
import { basename } from 'node:path';
import type { Logger } from '../log.js';
import { CommandError, tailLines, type CommandLine } from '../process/command.js';
import { CheckFragmentUsageError, parseCheckFragmentArgs } from './check-fragment-args.js';
import type { FragmentCheckOptions } from './fragment-check.js';

/** The switchyard binary's arguments after the program, or undefined. */
const switchyardArgs = (line: CommandLine): string[] | undefined => {
  if (line.shell) return undefined;
  if (basename(line.file) === 'switchyard') return line.args;
  const [script, ...rest] = line.args;
  if (/^node(js)?$/.test(basename(line.file)) && script !== undefined && basename(script) === 'switchyard') return rest;
  return undefined;
};

/**
 * Options of a `switchyard check-fragment` command line, or undefined for any
 * other command, and for one with bad arguments: that one runs as a process
 * and reports its usage error itself.
 */
export const parseBuiltinCheck = (line: CommandLine): FragmentCheckOptions | undefined => {
  const args = switchyardArgs(line);
  if (!args || args[0] !== 'check-fragment') return undefined;
  try {
    return parseCheckFragmentArgs(args.slice(1));
  } catch (err) {
    if (err instanceof CheckFragmentUsageError) return undefined;
    throw err;
  }
};

/** Runs the check in this process; throws CommandError as the spawned command would fail. */
export const runBuiltinCheck = async (
  command: string,
  options: FragmentCheckOptions,
  timeoutMs: number,
  logger: Logger,
): Promise<void> => {
  const { checkFragment, FragmentSetupError } = await import('./fragment-check.js');
  const started = Date.now();
  try {
    const result = await checkFragment({ ...options, timeoutMs: Math.min(options.timeoutMs ?? timeoutMs, timeoutMs) });
    if (!result.ok) {
      throw new CommandError(command, result.exitCode ?? 1, undefined, false, '', tailLines(`${result.output}\n\`${result.command}\` failed`));
    }
    logger.debug('check passed', { command: result.command, ms: Date.now() - started, output: tailLines(result.output) });
  } catch (err) {
    if (err instanceof CommandError) throw err;
    const code = err instanceof FragmentSetupError ? 2 : 1;
    throw new CommandError(command, code, undefined, false, '', `check-fragment: ${(err as Error).message}`, { cause: err });
  }
};
