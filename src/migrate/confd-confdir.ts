// Reads a confd configuration directory: conf.d/*.toml resources, their
// templates, and confd.toml's global settings (confd's default config file
// lives in the confdir).
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parse } from 'smol-toml';
import { ConfigError, messageOf } from '../errors.js';
import type { Finding, Plan, PlannedResource } from './plan.js';

const RESOURCE_KEYS = new Set(['src', 'dest', 'keys', 'prefix', 'mode', 'uid', 'gid', 'check_cmd', 'reload_cmd']);

const readToml = async (file: string): Promise<Record<string, unknown>> => {
  try {
    return parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(file, `cannot read: ${messageOf(err)}`, { cause: err });
  }
};

/** confd reads TOML keys case-insensitively. */
const lowerKeys = (table: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(table).map(([k, v]) => [k.toLowerCase(), v]));

export const templateNameOf = (src: string): string => `${src.replace(/\.(tmpl|tpl|ctmpl|template)$/, '')}.hbs`;

const readResource = async (srcDir: string, file: string, globalPrefix: string | undefined, findings: Finding[]): Promise<PlannedResource | undefined> => {
  const doc = await readToml(file);
  const raw = doc['template'];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    findings.push({ file, construct: '[template]', reason: 'missing the [template] table; resource skipped' });
    return undefined;
  }
  const t = lowerKeys(raw as Record<string, unknown>);
  const table: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(t)) {
    if (RESOURCE_KEYS.has(key)) table[key] = value;
    else findings.push({ file, construct: key, reason: 'not a confd resource setting (confd ignores it); not carried over' });
  }
  if (typeof t['src'] !== 'string') {
    findings.push({ file, construct: 'src', reason: 'missing; resource skipped' });
    return undefined;
  }
  // confd: a global prefix replaces each resource's own.
  if (globalPrefix) table['prefix'] = globalPrefix;
  const src = t['src'];
  delete table['src'];
  const templateFile = join(srcDir, 'templates', src);
  let source: string;
  try {
    source = await readFile(templateFile, 'utf8');
  } catch (err) {
    findings.push({ file, construct: `src = ${JSON.stringify(src)}`, reason: `cannot read the template: ${messageOf(err)}; resource skipped` });
    return undefined;
  }
  return { name: basename(file, '.toml'), origin: join('templates', src), templateName: templateNameOf(src), source, table };
};

const BACKENDS: Record<string, string> = { etcdv3: 'etcd', consul: 'consul', file: 'file', env: 'env' };
const CARRIED: Record<string, string> = {
  interval: 'interval', watch: 'watch', 'log-level': 'log_level', noop: 'noop', 'sync-only': 'sync_only',
  username: 'username', password: 'password', auth_token: 'auth_token', client_cert: 'client_cert',
  client_key: 'client_key', client_cakeys: 'client_ca_keys',
};
const SECRETS = new Set(['password', 'auth_token']);
const IGNORED = new Set(['confdir', 'prefix', 'nodes', 'scheme', 'backend', 'file']);

const readGlobals = (file: string, doc: Record<string, unknown>, plan: Plan): string | undefined => {
  const c = lowerKeys(doc);
  const backend = typeof c['backend'] === 'string' ? c['backend'] : 'etcd';
  if (BACKENDS[backend]) plan.globals['backend'] = BACKENDS[backend];
  else plan.findings.push({ file, construct: `backend = ${JSON.stringify(backend)}`, reason: 'not a switchyard backend (etcd v3, consul, file, env)' });
  const scheme = typeof c['scheme'] === 'string' ? c['scheme'] : 'http';
  if (Array.isArray(c['nodes'])) {
    plan.globals['nodes'] = c['nodes'].map((n) => (typeof n === 'string' && !n.includes('://') ? `${scheme}://${n}` : n));
  }
  if (Array.isArray(c['file'])) plan.globals['files'] = c['file'];
  for (const [key, value] of Object.entries(c)) {
    const target = CARRIED[key];
    if (target) {
      plan.globals[target] = value;
      if (SECRETS.has(key)) plan.secrets.push(target);
    } else if (!IGNORED.has(key)) plan.findings.push({ file, construct: key, reason: 'no switchyard equivalent; not carried over' });
  }
  if (c['confdir'] !== undefined) plan.notes.push(`${file}: confdir is now the destination directory (--confdir)`);
  return typeof c['prefix'] === 'string' && c['prefix'] !== '' ? c['prefix'] : undefined;
};

/** Reads SRC_CONFDIR into a plan; a missing conf.d is a configuration error. */
export const readConfdConfdir = async (srcDir: string): Promise<Plan> => {
  const plan: Plan = { dialect: 'confd', resources: [], globals: {}, secrets: [], findings: [], notes: [] };
  const configFile = join(srcDir, 'confd.toml');
  let globalPrefix: string | undefined;
  const config = await readToml(configFile).catch((err: unknown) => (err instanceof ConfigError && /ENOENT/.test(err.message) ? undefined : Promise.reject(err)));
  if (config) globalPrefix = readGlobals(configFile, config, plan);
  const confd = join(srcDir, 'conf.d');
  let names: string[];
  try {
    names = (await readdir(confd)).filter((n) => n.endsWith('.toml') && !n.startsWith('.')).sort();
  } catch (err) {
    throw new ConfigError(confd, `cannot read confd's resource directory: ${messageOf(err)}`, { cause: err });
  }
  for (const name of names) {
    const resource = await readResource(srcDir, join(confd, name), globalPrefix, plan.findings);
    if (resource) plan.resources.push(resource);
  }
  return plan;
};
