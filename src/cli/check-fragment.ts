// `switchyard check-fragment nginx|haproxy --config ... --staged {{src}} --dest {{dest}}`:
// a check_cmd that validates a fragment inside the full proxy config.
// Exit 0 valid, 1 the proxy's checker refused it, 2 the configs cannot be
// checked this way (dest not included, unreadable main config, bad flags).
import { messageOf } from '../errors.js';
import type { FragmentProxy } from '../proxies/fragment-check.js';
import type { Argv, CommandModule } from 'yargs';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, exitWith } from './exit.js';

interface CheckFragmentArgs {
  proxy: FragmentProxy;
  config: string[];
  staged: string;
  dest: string;
  bin?: string;
  prefix?: string;
  timeout: number;
}

/** Runs the check and writes the checker's output; returns the exit code. */
export const runCheckFragment = async (
  args: CheckFragmentArgs,
  write: (text: string) => void = (t) => void process.stderr.write(t),
): Promise<number> => {
  // Imported here: this runs as a check_cmd on every change, and the other
  // commands need none of it.
  const { checkFragment, FragmentSetupError } = await import('../proxies/fragment-check.js');
  try {
    const result = await checkFragment({
      proxy: args.proxy,
      configs: args.config,
      staged: args.staged,
      dest: args.dest,
      bin: args.bin,
      prefix: args.prefix,
      timeoutMs: args.timeout * 1000,
    });
    if (result.output) write(result.output.endsWith('\n') ? result.output : result.output + '\n');
    if (!result.ok) write(`check-fragment: \`${result.command}\` failed${result.exitCode === undefined ? '' : ` with exit code ${result.exitCode}`}\n`);
    return result.ok ? EXIT_OK : EXIT_FAILED;
  } catch (err) {
    write(`check-fragment: ${messageOf(err)}\n`);
    return err instanceof FragmentSetupError ? EXIT_USAGE : EXIT_FAILED;
  }
};

export const checkFragmentCommand: CommandModule<object, CheckFragmentArgs> = {
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
      .option('timeout', { type: 'number', default: 60, describe: 'seconds before the checker is killed' })
      .example('$0 check-fragment nginx --config /etc/nginx/nginx.conf --staged {{src}} --dest {{dest}}', '')
      .example('$0 check-fragment haproxy --config /etc/haproxy/haproxy.cfg --config /etc/haproxy/conf.d --staged {{src}} --dest {{dest}}', ''),
  handler: async (argv) => {
    exitWith(await runCheckFragment(argv));
  },
};
