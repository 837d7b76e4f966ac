// `switchyard history RESOURCE [--json] [--show N]`: the renders kept for a
// resource, newest first; --show prints one entry's content exactly.
import type { Argv } from 'yargs';
import { ConfigError } from '../errors.js';
import { createLogger } from '../log.js';
import { EXIT_FAILED, EXIT_OK, exitWith, reportError } from './exit.js';
import { positiveInteger, resourceFileName } from './resource-arg.js';
import { addRunOptions } from './run-command.js';
import { givenFlags } from './options.js';

export const historyCommand = {
  command: 'history <resource>',
  describe: "list a resource's applied renders (newest first), or print one with --show N",
  builder: (y: Argv) =>
    addRunOptions(
      y
        .positional('resource', { type: 'string', demandOption: true, describe: 'conf.d file name (app.toml or app)' })
        .option('json', { type: 'boolean', describe: 'print [{"n","revision","time","sha256","result"}]' })
        .option('show', { type: 'number', describe: "print entry N's content exactly" }),
    ),
  handler: async (argv: Record<string, unknown>): Promise<void> => {
    const logger = createLogger();
    try {
      const { resolveRunOptions } = await import('../config/run-options.js');
      const { listEntries } = await import('../history/store.js');
      const options = await resolveRunOptions(givenFlags(argv));
      const name = resourceFileName(String(argv['resource']));
      const entries = await listEntries(options.historyDir, name);
      if (argv['show'] !== undefined) {
        const n = positiveInteger(argv['show'], '--show');
        const entry = entries[n - 1];
        if (!entry) throw new ConfigError(undefined, `${name} has ${entries.length} history entries, no entry ${n}`, { key: 'show' });
        if (entry.content === undefined) {
          logger.error(`${name}: entry ${n} has no content (rendering failed at ${entry.stage ?? 'render'}: ${entry.error ?? ''})`);
          return exitWith(EXIT_FAILED);
        }
        process.stdout.write(entry.content);
        return exitWith(EXIT_OK);
      }
      if (argv['json'] === true) {
        const rows = entries.map(({ n, revision, time, sha256, result, stage, error }) => ({
          n,
          revision: revision ?? null,
          time,
          sha256: sha256 ?? null,
          result,
          ...(stage ? { stage } : {}),
          ...(error ? { error } : {}),
        }));
        process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        return exitWith(EXIT_OK);
      }
      process.stdout.write(formatHistory(name, entries));
      exitWith(EXIT_OK);
    } catch (err) {
      exitWith(reportError(err, logger));
    }
  },
};

interface Row {
  n: number;
  revision?: string;
  time: string;
  sha256?: string;
  result: string;
  stage?: string;
  error?: string;
}

const formatHistory = (name: string, entries: Row[]): string => {
  if (entries.length === 0) return `${name}: no history yet\n`;
  const rows = [
    ['N', 'REVISION', 'TIME', 'SHA256', 'RESULT'],
    ...entries.map((e) => [
      String(e.n),
      e.revision ?? '-',
      e.time,
      e.sha256?.slice(0, 12) ?? '-',
      e.result === 'failed' ? `failed at ${e.stage ?? '?'}: ${e.error ?? ''}` : e.result,
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
};
