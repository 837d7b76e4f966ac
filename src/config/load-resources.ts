// Loads <confdir>/conf.d/*.toml into TemplateResources (confd-compatible).
import { readdir } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { joinKey } from '../backends/keys.js';
import { ConfigError } from '../errors.js';
import { gidOf, uidOf } from './accounts.js';
import { parseQuiescence } from './duration.js';
import type { TemplateResource } from './resource.js';
import { fieldReader, readToml, rejectUnknownKeys } from './toml.js';

const TEMPLATE_KEYS = [
  'src',
  'dest',
  'prefix',
  'keys',
  'owner',
  'group',
  'uid',
  'gid',
  'mode',
  'check_cmd',
  'reload_cmd',
  'wait',
] as const;

export const parseMode = (text: string): number | undefined => (/^0?[0-7]{3,4}$/.test(text) ? parseInt(text, 8) : undefined);

export const loadResourceFile = async (file: string, confdir: string, globalPrefix: string): Promise<TemplateResource> => {
  const doc = await readToml(file);
  rejectUnknownKeys(file, doc, ['template'], 'top level');
  const table = doc['template'];
  if (table === undefined || typeof table !== 'object' || Array.isArray(table)) {
    throw new ConfigError(file, 'missing the [template] table', { key: 'template' });
  }
  const t = table as Record<string, unknown>;
  rejectUnknownKeys(file, t, TEMPLATE_KEYS, 'template');
  const f = fieldReader(file, t, 'template');

  const src = f.string('src') ?? f.fail('src', 'is required (the template file, relative to <confdir>/templates)');
  const dest = f.string('dest') ?? f.fail('dest', 'is required (the file to write)');
  // Without keys, they are inferred from the template (see applyInferredKeys).
  const given = f.strings('keys');
  const keys = given ?? [];
  const prefix = joinKey(globalPrefix, f.string('prefix') ?? '');

  const resource: TemplateResource = {
    name: basename(file),
    file,
    src: isAbsolute(src) ? src : join(confdir, 'templates', src),
    // A relative dest is taken relative to the confdir (handy for previews and examples).
    dest: resolve(confdir, dest),
    prefix,
    keys,
    paths: keys.map((k) => joinKey(prefix, k)),
  };
  if (given === undefined) resource.keysInferred = true;

  const owner = f.string('owner');
  const uid = f.integer('uid');
  if (owner !== undefined && uid !== undefined) f.fail('uid', 'give owner or uid, not both');
  if (owner !== undefined) resource.uid = uidOf(owner) ?? f.fail('owner', `no such user "${owner}"`);
  if (uid !== undefined) resource.uid = uid;
  const group = f.string('group');
  const gid = f.integer('gid');
  if (group !== undefined && gid !== undefined) f.fail('gid', 'give group or gid, not both');
  if (group !== undefined) resource.gid = gidOf(group) ?? f.fail('group', `no such group "${group}"`);
  if (gid !== undefined) resource.gid = gid;

  const mode = t['mode'];
  if (mode !== undefined) {
    const parsed = typeof mode === 'string' ? parseMode(mode) : undefined;
    resource.mode = parsed ?? f.fail('mode', `expected an octal string such as "0644", got ${JSON.stringify(mode)}`);
  }
  const checkCmd = f.string('check_cmd');
  if (checkCmd) resource.checkCmd = checkCmd;
  const reloadCmd = f.string('reload_cmd');
  if (reloadCmd) resource.reloadCmd = reloadCmd;
  const wait = f.string('wait');
  if (wait !== undefined) {
    const q = parseQuiescence(wait);
    resource.wait = typeof q === 'string' ? f.fail('wait', q) : q;
  }
  return resource;
};

/** The paths of every conf.d/*.toml, sorted by name. A missing conf.d is a configuration error. */
export const listResourceFiles = async (confdir: string): Promise<string[]> => {
  const dir = join(confdir, 'conf.d');
  try {
    const names = (await readdir(dir)).filter((n) => n.endsWith('.toml') && !n.startsWith('.')).sort();
    return names.map((n) => join(dir, n));
  } catch (err) {
    throw new ConfigError(dir, `cannot read the resource directory: ${(err as Error).message}`, { cause: err });
  }
};

export const loadResources = async (confdir: string, globalPrefix: string): Promise<TemplateResource[]> => {
  const resources: TemplateResource[] = [];
  for (const file of await listResourceFiles(confdir)) resources.push(await loadResourceFile(file, confdir, globalPrefix));
  return resources;
};
