// A check_cmd of `switchyard check-fragment …` runs inside the daemon: the
// same check, without starting a new Node process on every change (that
// start-up was most of a switch's latency). Anything this parser does not
// recognise exactly runs as an ordinary command instead.
import { basename } from 'node:path';
import type { Logger } from '../log.js';
import { CommandError, tailLines, type CommandLine } from '../process/command.js';
import type { FragmentCheckOptions, FragmentProxy } from './fragment-check.js';

const VALUE_FLAGS = new Set(['config', 'staged', 'dest', 'bin', 'prefix', 'timeout']);

/** The switchyard binary's arguments after the program, or undefined. */
const switchyardArgs = (line: CommandLine): string[] | undefined => {
  if (line.shell) return undefined;
  if (basename(line.file) === 'switchyard') return line.args;
  const [script, ...rest] = line.args;
  if (/^node(js)?$/.test(basename(line.file)) && script !== undefined && basename(script) === 'switchyard') return rest;
  return undefined;
};

/** Options of a `switchyard check-fragment` command line, or undefined for any other command. */
export const parseBuiltinCheck = (line: CommandLine): FragmentCheckOptions | undefined => {
  const args = switchyardArgs(line);
  if (!args || args[0] !== 'check-fragment') return undefined;
  const values: Record<string, string[]> = {};
  const positionals: string[] = [];
  for (let i = 1; i < args.length; i++) {
    const arg = args[i]!;
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) {
      positionals.push(arg);
      continue;
    }
    const name = m[1]!;
    const value = m[2] ?? args[++i];
    if (!VALUE_FLAGS.has(name) || value === undefined) return undefined;
    (values[name] ??= []).push(value);
  }
  const [proxy, ...extra] = positionals;
  const one = (name: string): string | undefined => (values[name]?.length === 1 ? values[name][0] : undefined);
  const staged = one('staged');
  const dest = one('dest');
  const timeout = one('timeout');
  if ((proxy !== 'nginx' && proxy !== 'haproxy') || extra.length > 0 || !values['config'] || !staged || !dest) return undefined;
  if (timeout !== undefined && !(Number(timeout) > 0)) return undefined;
  const options: FragmentCheckOptions = { proxy: proxy as FragmentProxy, configs: values['config'], staged, dest };
  if (one('bin')) options.bin = one('bin');
  if (one('prefix')) options.prefix = one('prefix');
  if (timeout !== undefined) options.timeoutMs = Number(timeout) * 1000;
  return options;
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
