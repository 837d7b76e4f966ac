// `switchyard check [--confdir DIR]`: load every resource and compile every
// template, report every problem (not only the first), no backend. The
// confdir, prefix and resource policy come from flags, SWITCHYARD_* and
// switchyard.toml as for the run (so switchyard.toml is checked too).
// Warnings (no resources, names that render as nothing) do not change the
// exit code.
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { listResourceFiles, loadResourceFile, sameDestError } from '../config/load-resources.js';
import { CONFDIR_OPTIONS } from '../config/option-table.js';
import { DEFAULT_POLICY, type ResourcePolicy, type TemplateResource } from '../config/resource.js';
import { resolveRunOptions } from '../config/run-options.js';
import { configurationWarnings } from '../daemon/configuration.js';
import { messageOf } from '../errors.js';
import type { CompiledTemplate } from '../template/types.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, exitWith } from './exit.js';
import { addTableOptions, givenFlags } from './options.js';

export const checkConfdir = async (
  confdir: string,
  prefix: string,
  print: (line: string) => void,
  policy: ResourcePolicy = DEFAULT_POLICY,
  debug = false,
): Promise<number> => {
  let files: string[];
  try {
    files = await listResourceFiles(confdir);
  } catch (err) {
    print(messageOf(err));
    return 1;
  }
  let errors = 0;
  const { compileTemplateFile, strictnessError } = await import('../template/engine.js');
  const { applyInferredKeys } = await import('../daemon/inferred-keys.js');
  const resources: TemplateResource[] = [];
  const templates = new Map<string, CompiledTemplate>();
  for (const file of files) {
    try {
      const resource = await loadResourceFile(file, confdir, prefix, policy);
      const template = await compileTemplateFile(resource.src);
      const keys = applyInferredKeys(resource, template);
      if (debug && resource.keysInferred) {
        const { services, serviceList } = template.inferred;
        const named = services.length ? `; services ${services.join(' ')}` : '';
        print(`debug ${resource.name}: inferred keys ${keys.join(' ') || '(none)'}${named}${serviceList ? '; the service list' : ''}`);
      }
      const strict = resource.strict ? strictnessError(template) : undefined;
      if (strict) throw strict;
      resources.push(resource);
      templates.set(resource.name, template);
      print(`ok    ${resource.name} → ${resource.dest} (template ${resource.src})`);
    } catch (err) {
      errors += 1;
      print(`error ${messageOf(err)}`);
    }
  }
  const clash = sameDestError(resources);
  if (clash) {
    errors += 1;
    print(`error ${clash.message}`);
  }
  // Resources that failed to load are errors already, not "no resources".
  const warnings = configurationWarnings({ resources, templates }, confdir).filter((w) => files.length === 0 || !w.includes('no resources'));
  for (const warning of warnings) print(`warn  ${warning}`);
  const counted = `${files.length} resource${files.length === 1 ? '' : 's'}`;
  print(errors ? `${errors} of ${counted} ${errors === 1 ? 'has' : 'have'} errors` : `${counted} ok`);
  return errors;
};

export const checkCommand = {
  command: 'check',
  describe: 'load every resource and compile every template; no backend',
  builder: (y: Argv) =>
    addTableOptions(y, CONFDIR_OPTIONS, 'Options:').option('data', {
      type: 'string',
      array: true,
      describe: 'also render each resource from these YAML/JSON files and run its check_cmd (dest untouched)',
    }),
  handler: async (argv: Record<string, unknown>): Promise<void> => {
    const print = (line: string): void => void process.stdout.write(line + '\n');
    let options;
    try {
      options = await resolveRunOptions(givenFlags(argv, CONFDIR_OPTIONS));
    } catch (err) {
      print(`error ${messageOf(err)}`);
      return exitWith(EXIT_USAGE);
    }
    const errors = await checkConfdir(options.confdir, options.prefix, print, options.policy, options.logLevel === 'debug');
    const data = (argv['data'] as string[] | undefined) ?? [];
    if (errors || data.length === 0) return exitWith(errors ? EXIT_USAGE : EXIT_OK);
    const { checkWithData } = await import('./check-data.js');
    const failed = await checkWithData(options.confdir, options.prefix, data.map((d) => resolve(d)), print, options.policy).catch((err: unknown) => {
      print(`error ${messageOf(err)}`);
      return 1;
    });
    exitWith(failed ? EXIT_FAILED : EXIT_OK);
  },
};
