// `switchyard diff RESOURCE N [M]`: a unified diff of history entry N against
// entry M, or against the live file when M is not given.
import { readFile } from 'node:fs/promises';
import type { Argv } from 'yargs';
import { ConfigError } from '../errors.js';
import { createLogger } from '../log.js';
import { EXIT_OK, exitWith, reportError } from './exit.js';
import { loadNamedResource, positiveInteger, resourceFileName } from './resource-arg.js';
import { addRunOptions } from './run-command.js';
import { givenFlags } from './options.js';

export const diffCommand = {
  command: 'diff <resource> <n> [m]',
  describe: 'diff history entry N against entry M (default: the live file)',
  builder: (y: Argv) =>
    addRunOptions(
      y
        .positional('resource', { type: 'string', demandOption: true, describe: 'conf.d file name (app.toml or app)' })
        .positional('n', { type: 'number', demandOption: true, describe: 'history entry (1 is the newest)' })
        .positional('m', { type: 'number', describe: 'history entry to compare with' }),
    ),
  handler: async (argv: Record<string, unknown>): Promise<void> => {
    const logger = createLogger();
    try {
      const { resolveRunOptions } = await import('../config/run-options.js');
      const { listEntries } = await import('../history/store.js');
      const { createTwoFilesPatch } = await import('diff');
      const options = await resolveRunOptions(givenFlags(argv));
      const name = resourceFileName(String(argv['resource']));
      const entries = await listEntries(options.historyDir, name);
      const side = (arg: unknown, what: string): { label: string; text: string } => {
        const n = positiveInteger(arg, what);
        const entry = entries[n - 1];
        if (!entry) throw new ConfigError(undefined, `${name} has ${entries.length} history entries, no entry ${n}`, { key: what });
        if (entry.content === undefined) throw new ConfigError(undefined, `${name}: entry ${n} has no content (rendering failed)`, { key: what });
        return { label: `${name}#${n}`, text: entry.content };
      };
      const left = side(argv['n'], 'N');
      let right: { label: string; text: string };
      if (argv['m'] !== undefined) {
        right = side(argv['m'], 'M');
      } else {
        const resource = await loadNamedResource(options, name);
        right = { label: resource.dest, text: await readFile(resource.dest, 'utf8').catch(() => '') };
      }
      process.stdout.write(createTwoFilesPatch(left.label, right.label, left.text, right.text, entryHeader(entries, argv['n']), argv['m'] !== undefined ? entryHeader(entries, argv['m']) : 'live'));
      exitWith(EXIT_OK);
    } catch (err) {
      exitWith(reportError(err, logger));
    }
  },
};

const entryHeader = (entries: { revision?: string; time: string }[], n: unknown): string => {
  const e = entries[Number(n) - 1];
  return e ? `${e.time}${e.revision ? ` revision ${e.revision}` : ''}` : '';
};
