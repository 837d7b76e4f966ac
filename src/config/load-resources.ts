// Loads <confdir>/conf.d/*.toml into TemplateResources (confd-compatible).
// The directory and its small files are read synchronously (see toml.ts).
import { accessSync, readdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { joinKey } from '../backends/keys.js';
import { ConfigError } from '../errors.js';
import { gidOf, uidOf } from './accounts.js';
import { parseQuiescence } from './duration.js';
import { DEFAULT_POLICY, type ResourcePolicy, type TemplateResource } from './resource.js';
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
  'follow_symlinks',
  'strict',
] as const;

/** uid_t and gid_t are 32 bits; 4294967295 means "no change" to chown. */
const MAX_ID = 4294967294;
const SPECIAL_BITS = 0o7000;

export const parseMode = (text: string): number | undefined => (/^0?[0-7]{3,4}$/.test(text) ? parseInt(text, 8) : undefined);

/** True when path is dir or below it (both absolute and normalised). */
export const isPathUnder = (path: string, dir: string): boolean => dir === '/' || path === dir || path.startsWith(dir + '/');

// A command given but blank would run nothing and say it passed.
const command = (f: ReturnType<typeof fieldReader>, key: 'check_cmd' | 'reload_cmd'): string | undefined => {
  const text = f.string(key);
  if (text === undefined) return undefined;
  if (text.trim() === '') f.fail(key, 'is blank: remove the key or give a command');
  if (text.includes('\0')) f.fail(key, 'contains a NUL character');
  if (key === 'reload_cmd' && /\{\{\s*\.?src\s*\}\}/.test(text)) {
    f.fail(key, '{{src}} is the staged file, which exists only while check_cmd runs; reload_cmd gets {{dest}}');
  }
  return text;
};

export const loadResourceFile = async (
  file: string,
  confdir: string,
  globalPrefix: string,
  policy: ResourcePolicy = DEFAULT_POLICY,
): Promise<TemplateResource> => {
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
  if (dest.trim() === '') f.fail('dest', 'is empty (the file to write)');
  if (dest.includes('\0')) f.fail('dest', `contains a NUL character: ${JSON.stringify(dest.slice(0, 80))}`);
  if (src.trim() === '' || src.includes('\0')) f.fail('src', `is not a template file name: ${JSON.stringify(src.slice(0, 80))}`);
  // Without keys, they are inferred from the template (see applyInferredKeys).
  const given = f.strings('keys');
  const keys = given ?? [];
  const prefix = joinKey(globalPrefix, f.string('prefix') ?? '');

  const srcPath = isAbsolute(src) ? src : join(confdir, 'templates', src);
  const resource: TemplateResource = {
    name: basename(file),
    file,
    src: srcPath,
    // A relative dest is taken relative to the confdir (handy for previews and examples).
    dest: resolve(confdir, dest),
    prefix,
    keys,
    paths: keys.map((k) => joinKey(prefix, k)),
    destDirs: policy.destDirs,
    strict: f.boolean('strict') ?? policy.strict,
  };
  if (policy.destDirs.length > 0 && !policy.destDirs.some((dir) => isPathUnder(resource.dest, dir))) {
    f.fail('dest', `${resource.dest} is outside the allowed dest directories (dest_dirs: ${policy.destDirs.join(', ')})`);
  }
  const follow = f.boolean('follow_symlinks');
  if (follow !== undefined) resource.followSymlinks = follow;
  if (given === undefined) resource.keysInferred = true;

  const owner = f.string('owner');
  const uid = f.integer('uid', MAX_ID);
  if (owner !== undefined && uid !== undefined) f.fail('uid', 'give owner or uid, not both');
  if (owner !== undefined) resource.uid = uidOf(owner) ?? f.fail('owner', `no such user "${owner}"`);
  if (uid !== undefined) resource.uid = uid;
  const group = f.string('group');
  const gid = f.integer('gid', MAX_ID);
  if (group !== undefined && gid !== undefined) f.fail('gid', 'give group or gid, not both');
  if (group !== undefined) resource.gid = gidOf(group) ?? f.fail('group', `no such group "${group}"`);
  if (gid !== undefined) resource.gid = gid;

  const mode = t['mode'];
  if (mode !== undefined) {
    const parsed = typeof mode === 'string' ? parseMode(mode) : undefined;
    resource.mode = parsed ?? f.fail('mode', `expected an octal string such as "0644", got ${JSON.stringify(mode)}`);
    if (resource.mode & SPECIAL_BITS) {
      f.fail('mode', `${JSON.stringify(mode)} sets the setuid, setgid or sticky bit, which a rendered configuration never needs; use permission bits only ("0644")`);
    }
  }
  const checkCmd = command(f, 'check_cmd');
  if (checkCmd !== undefined) resource.checkCmd = checkCmd;
  const reloadCmd = command(f, 'reload_cmd');
  if (reloadCmd !== undefined) resource.reloadCmd = reloadCmd;
  const wait = f.string('wait');
  if (wait !== undefined) {
    const q = parseQuiescence(wait);
    resource.wait = typeof q === 'string' ? f.fail('wait', q) : q;
  }
  // Checked last, so that the other mistakes in the file are named first.
  try {
    accessSync(resource.src);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      f.fail('src', `template ${resource.src} not found${isAbsolute(src) ? '' : ` (src is relative to ${join(confdir, 'templates')})`}`);
    }
    f.fail('src', `template ${resource.src}: ${(err as Error).message}`);
  }
  return resource;
};

/** The paths of every conf.d/*.toml, sorted by name. A missing conf.d is a configuration error. */
export const listResourceFiles = async (confdir: string): Promise<string[]> => {
  const dir = join(confdir, 'conf.d');
  try {
    const names = readdirSync(dir).filter((n) => n.endsWith('.toml') && !n.startsWith('.')).sort();
    return names.map((n) => join(dir, n));
  } catch (err) {
    throw new ConfigError(dir, `cannot read the resource directory: ${(err as Error).message}${confdirHint(confdir, err)}`, { cause: err });
  }
};

// confd users point at conf.d itself; the confdir is the directory above it.
// A confdir that is not there at all is most often the default one, unset.
const confdirHint = (confdir: string, err: unknown): string => {
  if (basename(confdir) === 'conf.d') return `; --confdir names the directory that holds conf.d/ and templates/: use --confdir ${dirname(confdir)}`;
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') return `; give --confdir DIR, the directory that holds conf.d/*.toml and templates/`;
  return '';
};


/** Two resources writing one dest would overwrite each other on every round. */
export const sameDestError = (resources: readonly TemplateResource[]): ConfigError | undefined => {
  const byDest = new Map<string, TemplateResource>();
  for (const r of resources) {
    const other = byDest.get(r.dest);
    if (other) return new ConfigError(r.file, `${r.dest} is also the dest of ${other.file}; each dest belongs to one resource`, { key: 'template.dest' });
    byDest.set(r.dest, r);
  }
  return undefined;
};

export const loadResources = async (
  confdir: string,
  globalPrefix: string,
  policy: ResourcePolicy = DEFAULT_POLICY,
): Promise<TemplateResource[]> => {
  const resources: TemplateResource[] = [];
  for (const file of await listResourceFiles(confdir)) resources.push(await loadResourceFile(file, confdir, globalPrefix, policy));
  const clash = sameDestError(resources);
  if (clash) throw clash;
  return resources;
};
