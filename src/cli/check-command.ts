// `switchyard check [--confdir DIR]`: load every resource and compile every
// template, report every problem (not only the first), no backend. The
// confdir and prefix come from flags, SWITCHYARD_* and switchyard.toml as
// for the run (so switchyard.toml is checked too).
import type { Argv } from 'yargs';
import { listResourceFiles, loadResourceFile } from '../config/load-resources.js';
import { CONFDIR_OPTIONS } from '../config/option-table.js';
import { resolveRunOptions } from '../config/run-options.js';
import { messageOf } from '../errors.js';
import { EXIT_OK, EXIT_USAGE, exitWith } from './exit.js';
import { addTableOptions, givenFlags } from './options.js';

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
  builder: (y: Argv) => addTableOptions(y, CONFDIR_OPTIONS, 'Options:'),
  handler: async (argv: Record<string, unknown>): Promise<void> => {
    const print = (line: string): void => void process.stdout.write(line + '\n');
    let options;
    try {
      options = await resolveRunOptions(givenFlags(argv, CONFDIR_OPTIONS));
    } catch (err) {
      print(`error ${messageOf(err)}`);
      return exitWith(EXIT_USAGE);
    }
    const errors = await checkConfdir(options.confdir, options.prefix, print);
    exitWith(errors ? EXIT_USAGE : EXIT_OK);
  },
};
