// RESOURCE arguments of the operating commands (history, diff, revert,
// render --at-revision): the conf.d file name, "app.toml" or "app".
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadResourceFile } from '../config/load-resources.js';
import type { TemplateResource } from '../config/resource.js';
import type { RunOptions } from '../config/run-options.js';
import { ConfigError } from '../errors.js';

/** "app" → "app.toml"; "conf.d/app.toml" → "app.toml". */
export const resourceFileName = (arg: string): string => {
  const base = arg.split('/').pop() ?? arg;
  return base.endsWith('.toml') ? base : `${base}.toml`;
};

/** Loads one resource of the confdir by its RESOURCE argument. */
export const loadNamedResource = async (options: RunOptions, arg: string): Promise<TemplateResource> => {
  const file = join(options.confdir, 'conf.d', resourceFileName(arg));
  if (!existsSync(file)) throw new ConfigError(file, `no resource "${arg}" in ${join(options.confdir, 'conf.d')}`);
  return loadResourceFile(file, options.confdir, options.prefix);
};

/** A positive whole number argument (an entry number, a revision). */
export const positiveInteger = (value: unknown, what: string): number => {
  const n = typeof value === 'number' ? value : Number(String(value));
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(undefined, `${what} must be a whole number from 1, got ${JSON.stringify(value)}`);
  return n;
};
