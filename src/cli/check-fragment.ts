// `switchyard check-fragment nginx|haproxy --config ... --staged {{src}} --dest {{dest}}`:
// a check_cmd that validates a fragment inside the full proxy config.
// Exit 0 valid, 1 the proxy's checker refused it, 2 the configs cannot be
// checked this way (dest not included, unreadable main config, bad flags).
import { messageOf } from '../errors.js';
import { DEFAULT_CHECK_TIMEOUT_SECONDS, parseCheckFragmentArgs } from '../proxies/check-fragment-args.js';
import type { FragmentCheckOptions } from '../proxies/fragment-check.js';
import type { Argv, CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, exitWith } from './exit.js';

/** Runs the check and writes the checker's output; returns the exit code. */
export const runCheckFragment = async (
  options: FragmentCheckOptions,
  write: (text: string) => void = (t) => void process.stderr.write(t),
): Promise<number> => {
  // Imported here: this runs as a check_cmd on every change, and the other
  // commands need none of it.
  const { checkFragment, FragmentSetupError } = await import('../proxies/fragment-check.js');
  try {
    const result = await checkFragment(options);
    if (result.output) write(result.output.endsWith('\n') ? result.output : result.output + '\n');
    if (!result.ok) write(`check-fragment: \`${result.command}\` failed${result.exitCode === undefined ? '' : ` with exit code ${result.exitCode}`}\n`);
    return result.ok ? EXIT_OK : EXIT_FAILED;
  } catch (err) {
    write(`check-fragment: ${messageOf(err)}\n`);
    return err instanceof FragmentSetupError ? EXIT_USAGE : EXIT_FAILED;
  }
};

/** The words after `check-fragment` on this process's command line. */
const ownArgs = (): string[] => {
  const args = hideBin(process.argv);
  return args.slice(args.indexOf('check-fragment') + 1);
};

// yargs routes the command and prints --help; the arguments are parsed by the
// one parser the in-daemon check uses too.
export const checkFragmentCommand: CommandModule = {
  command: 'check-fragment <proxy>',
  describe: 'check_cmd helper: validate a staged fragment inside the full nginx or HAProxy config',
  builder: (y: Argv) =>
    y
      .positional('proxy', { choices: ['nginx', 'haproxy'] as const, demandOption: true, describe: 'the proxy whose checker runs' })
      .option('config', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'nginx: the main nginx.conf; haproxy: every -f file or directory, in order (repeatable)',
      })
      .option('staged', { type: 'string', demandOption: true, describe: 'the staged file, usually {{src}}' })
      .option('dest', { type: 'string', demandOption: true, describe: 'the live path the configs include, usually {{dest}}' })
      .option('bin', { type: 'string', describe: 'the proxy binary (default: nginx or haproxy on PATH)' })
      .option('prefix', { type: 'string', describe: 'nginx only: the -p prefix nginx runs with' })
      .option('timeout', { type: 'string', default: String(DEFAULT_CHECK_TIMEOUT_SECONDS), describe: 'seconds before the checker is killed' })
      .example('$0 check-fragment nginx --config /etc/nginx/nginx.conf --staged {{src}} --dest {{dest}}', '')
      .example('$0 check-fragment haproxy --config /etc/haproxy/haproxy.cfg --config /etc/haproxy/conf.d --staged {{src}} --dest {{dest}}', ''),
  handler: async () => {
    let options: FragmentCheckOptions;
    try {
      options = parseCheckFragmentArgs(ownArgs());
    } catch (err) {
      process.stderr.write(`check-fragment: ${messageOf(err)}\n`);
      return exitWith(EXIT_USAGE);
    }
    exitWith(await runCheckFragment(options));
  },
};
