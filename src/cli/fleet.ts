// switchyard fleet status [--json] [--resource NAME]: what every reporting
// host applied. Its options are declared here; the command itself is
// imported when it runs.
import type { CommandModule } from 'yargs';
import { BACKEND_OPTIONS } from '../config/option-table.js';
import { addTableOptions } from './options.js';

export const fleetCommand: CommandModule = {
  command: 'fleet',
  describe: 'what the hosts running with --report applied',
  builder: (y) =>
    y
      .command({
        command: 'status',
        describe: 'one row per host and resource: revision applied, how far behind the store, result, age',
        builder: (sub) =>
          addTableOptions(
            sub
              .option('json', { type: 'boolean', default: false, describe: 'print {"hosts":[{"host","resources":[{"name","revision","behind","result","age_s"}]}]}' })
              .option('resource', { type: 'string', describe: 'only this resource' }),
            BACKEND_OPTIONS,
            'Backend options:',
          ),
        handler: async (argv) => (await import('./fleet-status.js')).fleetStatusCommand(argv),
      })
      .demandCommand(1, 'name an operation: status'),
  handler: () => undefined,
};
