// `switchyard check [--confdir DIR]`: load every resource and compile every
// template, report every problem (not only the first), no backend.
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { listResourceFiles, loadResourceFile } from '../config/load-resources.js';
import { messageOf } from '../errors.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, exitWith } from './exit.js';

interface CheckArgs {
  confdir?: string;
  prefix?: string;
  data?: string[];
}

export const checkConfdir = async (confdir: string, prefix: string, print: (line: string) => void): Promise<number> => {
  let files: string[];
  try {
    files = await listResourceFiles(confdir);
  } catch (err) {
    print(messageOf(err));
    return 1;
  }
  let errors = 0;
  const { compileTemplateFile } = await import('../template/engine.js');
  for (const file of files) {
    try {
      const resource = await loadResourceFile(file, confdir, prefix);
      await compileTemplateFile(resource.src);
      print(`ok    ${resource.name} → ${resource.dest} (template ${resource.src})`);
    } catch (err) {
      errors += 1;
      print(`error ${messageOf(err)}`);
    }
  }
  print(errors ? `${errors} of ${files.length} resources have errors` : `${files.length} resources ok`);
  return errors;
};

export const checkCommand = {
  command: 'check',
  describe: 'load every resource and compile every template; no backend',
  builder: (y: Argv) =>
    y
      .option('confdir', { type: 'string', describe: 'configuration directory', default: process.env['SWITCHYARD_CONFDIR'] ?? '/etc/switchyard' })
      .option('prefix', { type: 'string', describe: 'global key prefix', default: process.env['SWITCHYARD_PREFIX'] ?? '' })
      .option('data', { type: 'string', array: true, describe: "also render each resource from these YAML/JSON files and run its check_cmd (dest untouched)" }),
  handler: async (argv: CheckArgs): Promise<void> => {
    const print = (l: string): void => void process.stdout.write(l + '\n');
    const confdir = resolve(argv.confdir ?? '/etc/switchyard');
    const errors = await checkConfdir(confdir, argv.prefix ?? '', print);
    if (errors || !argv.data?.length) return exitWith(errors ? EXIT_USAGE : EXIT_OK);
    const { checkWithData } = await import('./check-data.js');
    const failed = await checkWithData(confdir, argv.prefix ?? '', argv.data.map((d) => resolve(d)), print).catch((err: unknown) => {
      print(`error ${messageOf(err)}`);
      return 1;
    });
    exitWith(failed ? EXIT_FAILED : EXIT_OK);
  },
};
