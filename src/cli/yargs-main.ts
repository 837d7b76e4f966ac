// The command line through yargs: the run (default), render, check,
// bluegreen, migrate, and the check-fragment helper for check_cmd, with
// --help, --version and usage errors (exit 2). main.ts comes here for every
// command line but a plain run's.
import yargs from 'yargs';
import { bluegreenCommand } from './bluegreen.js';
import { checkCommand } from './check-command.js';
import { checkFragmentCommand } from './check-fragment.js';
import { diffCommand } from './diff-command.js';
import { historyCommand } from './history-command.js';
import { fleetCommand } from './fleet.js';
import { EXIT_USAGE } from './exit.js';
import { VERSION as version } from '../version.js';
import { migrateCommand } from './migrate-command.js';
import { renderCommand } from './render-command.js';
import { revertCommand } from './revert-command.js';
import { addRunOptions, runCommandLazily } from './run-command.js';
import { unknownFlagHint } from './usage-hint.js';


/** The commands' names, for "did you mean" after a mistyped one. */
const COMMANDS = [renderCommand, checkCommand, bluegreenCommand, fleetCommand, checkFragmentCommand, migrateCommand, historyCommand, diffCommand, revertCommand].map(
  (c) => String(c.command).split(' ')[0] as string,
);

/** `args` are the arguments after the program, confd's single-dash flags already rewritten (confdArgs). */
export const main = async (args: string[]): Promise<void> => {
  const cli = yargs(args);
  // The options of the command being parsed (yargs keeps one instance and swaps them in).
  const knownFlags = (): string[] => Object.keys((cli as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions().key);
  await cli
    .scriptName('switchyard')
    .usage('$0 [options]\n\nWatches keys in etcd, Consul, files or the environment, renders templates, checks, swaps, reloads, and rolls back on failure.')
    .command({
      command: '$0',
      describe: 'run: --onetime, watch (the default) or --interval',
      builder: (y) => addRunOptions(y),
      handler: runCommandLazily,
    })
    .command(renderCommand)
    .command(checkCommand)
    .command(bluegreenCommand)
    .command(fleetCommand)
    .command(checkFragmentCommand)
    .command(migrateCommand)
    .command(historyCommand)
    .command(diffCommand)
    .command(revertCommand)
    .strict()
    .version(version)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      const hint = unknownFlagHint(msg, knownFlags(), args, COMMANDS);
      process.stderr.write(`switchyard: ${msg}\n${hint ? hint + '\n' : ''}Run switchyard --help for usage.\n`);
      process.exit(EXIT_USAGE);
    })
    .parseAsync();
};
