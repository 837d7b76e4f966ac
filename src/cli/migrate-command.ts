// `switchyard migrate confd SRC_CONFDIR DEST_CONFDIR` and
// `switchyard migrate consul-template CONFIG.hcl DEST_CONFDIR`: write a
// switchyard confdir, print a report; exit 0 all converted, 1 some constructs
// not converted (named with file:line; the rest is written), 2 usage.
import { dirname, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { ConfigError } from '../errors.js';
import { createLogger } from '../log.js';
import { EXIT_USAGE, exitWith, reportError } from './exit.js';

interface MigrateArgs {
  tool: string;
  source: string;
  dest: string;
}

export const migrateCommand = {
  command: 'migrate <tool> <source> <dest>',
  describe: 'convert a confd confdir or a consul-template config into a switchyard confdir',
  builder: (y: Argv) =>
    y
      .positional('tool', { type: 'string', choices: ['confd', 'consul-template'], demandOption: true, describe: 'what to migrate from' })
      .positional('source', { type: 'string', demandOption: true, describe: "confd's confdir, or consul-template's HCL configuration file" })
      .positional('dest', { type: 'string', demandOption: true, describe: 'the switchyard confdir to write' }),
  handler: async (argv: MigrateArgs): Promise<void> => {
    const logger = createLogger();
    try {
      // Loaded here so that other commands do not load the converter.
      const { runMigration } = await import('../migrate/migrate.js');
      const source = resolve(argv.source);
      const plan =
        argv.tool === 'confd'
          ? await (await import('../migrate/confd-confdir.js')).readConfdConfdir(source)
          : await (await import('../migrate/consul-template-config.js')).readConsulTemplateConfig(source);
      const outcome = await runMigration(plan, argv.tool === 'confd' ? source : dirname(source), resolve(argv.dest));
      process.stdout.write(outcome.lines.map((l) => `${l}\n`).join(''));
      exitWith(outcome.exitCode);
    } catch (err) {
      exitWith(err instanceof ConfigError ? (reportError(err, logger), EXIT_USAGE) : reportError(err, logger));
    }
  },
};
