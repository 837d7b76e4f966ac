// The command line: the run (default), render, check, bluegreen, and the
// check-fragment helper for check_cmd. Usage errors exit 2.
import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { bluegreenCommand } from './bluegreen.js';
import { checkCommand } from './check-command.js';
import { checkFragmentCommand } from './check-fragment.js';
import { diffCommand } from './diff-command.js';
import { historyCommand } from './history-command.js';
import { EXIT_USAGE } from './exit.js';
import { renderCommand } from './render-command.js';
import { revertCommand } from './revert-command.js';
import { addRunOptions, runCommandLazily } from './run-command.js';

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export const main = async (args: string[]): Promise<void> => {
  await yargs(args)
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
    .command(checkFragmentCommand)
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
      process.stderr.write(`switchyard: ${msg}\nRun switchyard --help for usage.\n`);
      process.exit(EXIT_USAGE);
    })
    .parseAsync();
};

await main(hideBin(process.argv));
