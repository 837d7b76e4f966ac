// `switchyard revert RESOURCE --to-revision R [--noop]`: the resource's keys
// back to their values at revision R in one guarded transaction (etcd); every
// host then converges through its normal pipeline.
import type { Argv } from 'yargs';
import type { Backend, KeyChange } from '../backends/backend.js';
import { ConfigError } from '../errors.js';
import { createLogger, redact, type Logger } from '../log.js';
import { EXIT_OK, exitWith, reportError } from './exit.js';
import { loadNamedResource, positiveInteger } from './resource-arg.js';
import { addRunOptions } from './run-command.js';
import { givenFlags } from './options.js';
import { backendOptionsOf } from '../config/run-options.js';

const show = (value: string | undefined): string => (value === undefined ? '(absent)' : JSON.stringify(value));

/** One line per key: what it holds now and what the revert writes. */
export const formatChange = (c: KeyChange): string =>
  redact(`${c.to === undefined ? 'delete' : c.from === undefined ? 'create' : 'put   '} ${c.key}: ${show(c.from)} -> ${show(c.to)}`);

export const revertCommand = {
  command: 'revert <resource>',
  describe: "put a resource's keys back to their values at a past etcd revision",
  builder: (y: Argv) =>
    addRunOptions(
      y
        .positional('resource', { type: 'string', demandOption: true, describe: 'conf.d file name (app.toml or app)' })
        .option('to-revision', { type: 'number', demandOption: true, describe: 'the etcd revision to go back to' }),
    ),
  handler: async (argv: Record<string, unknown>): Promise<void> => {
    let logger: Logger = createLogger();
    let backend: Backend | undefined;
    try {
      const { resolveRunOptions } = await import('../config/run-options.js');
      const { loadBackend } = await import('../backends/index.js');
      const revision = String(positiveInteger(argv['to-revision'], '--to-revision'));
      const options = await resolveRunOptions(givenFlags(argv));
      logger = createLogger({ level: options.logLevel, format: options.logFormat });
      const resource = await loadNamedResource(options, String(argv['resource']));
      backend = await loadBackend(options.backend, backendOptionsOf(options), logger);
      if (!backend.planRevert) throw new ConfigError(undefined, `the ${backend.name} backend keeps no past revisions; revert needs etcd`, { key: 'to-revision' });
      const plan = await backend.planRevert(resource.paths, revision);
      for (const c of plan.changes) process.stdout.write(formatChange(c) + '\n');
      if (plan.changes.length === 0) {
        process.stdout.write(`${resource.name}: keys already as at revision ${revision}; nothing to do\n`);
      } else if (options.noop) {
        process.stdout.write(`${resource.name}: ${plan.changes.length} key(s) would change (noop; read at revision ${plan.readRevision})\n`);
      } else {
        const now = await plan.apply();
        process.stdout.write(`${resource.name}: ${plan.changes.length} key(s) back to revision ${revision} (now revision ${now})\n`);
      }
      await backend.close();
      exitWith(EXIT_OK);
    } catch (err) {
      await backend?.close().catch(() => undefined);
      exitWith(reportError(err, logger));
    }
  },
};
