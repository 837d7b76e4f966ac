// `switchyard check [--confdir DIR]`: load every resource and compile every
// template, report every problem (not only the first), no backend.
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { listResourceFiles, loadResourceFile } from '../config/load-resources.js';
import { messageOf } from '../errors.js';
import { EXIT_OK, EXIT_USAGE, exitWith } from './exit.js';

interface CheckArgs {
  confdir?: string;
  prefix?: string;
  logLevel?: string;
}

export const checkConfdir = async (confdir: string, prefix: string, print: (line: string) => void, debug = false): Promise<number> => {
  let files: string[];
  try {
    files = await listResourceFiles(confdir);
  } catch (err) {
    print(messageOf(err));
    return 1;
  }
  let errors = 0;
  const { compileTemplateFile } = await import('../template/engine.js');
  const { applyInferredKeys } = await import('../daemon/inferred-keys.js');
  for (const file of files) {
    try {
      const resource = await loadResourceFile(file, confdir, prefix);
      const template = await compileTemplateFile(resource.src);
      const keys = applyInferredKeys(resource, template);
      if (debug && resource.keysInferred) {
        const services = template.inferred.services;
        print(`debug ${resource.name}: inferred keys ${keys.join(' ') || '(none)'}${services.length ? `; services ${services.join(' ')}` : ''}`);
      }
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
      .option('log-level', { type: 'string', describe: 'debug also prints the keys inferred for resources without `keys`', default: process.env['SWITCHYARD_LOG_LEVEL'] ?? 'info' }),
  handler: async (argv: CheckArgs): Promise<void> => {
    const errors = await checkConfdir(resolve(argv.confdir ?? '/etc/switchyard'), argv.prefix ?? '', (l) => process.stdout.write(l + '\n'), argv.logLevel === 'debug');
    exitWith(errors ? EXIT_USAGE : EXIT_OK);
  },
};
