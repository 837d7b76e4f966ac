// Reads consul-template's HCL configuration with a real HCL parser
// (hcl2-parser: HashiCorp's own parser, compiled to JavaScript): template
// blocks, the consul block, the global wait; every other setting is reported.
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError, messageOf } from '../errors.js';
import type { Finding, Plan, PlannedResource } from './plan.js';
import { templateNameOf } from './confd-confdir.js';

type Table = Record<string, unknown>;

type HclParser = { parseToObject(input: string): [Table | null, unknown] };

// The package is CommonJS: under ESM its exports arrive as the default export.
const loadParser = async (): Promise<HclParser> => {
  const mod: unknown = await import('hcl2-parser');
  return ((mod as { default?: HclParser }).default ?? mod) as HclParser;
};

/** The line of `key` inside the index-th `block { … }`, best effort (the parser gives no positions). */
const lineOf = (text: string, block: string | undefined, index: number, key: string): number | undefined => {
  const lines = text.split('\n');
  let start = 0;
  if (block !== undefined) {
    let seen = -1;
    start = lines.findIndex((l) => new RegExp(`^\\s*${block}\\s*\\{`).test(l) && ++seen === index);
    if (start < 0) return undefined;
  }
  const at = lines.findIndex((l, i) => i >= start && new RegExp(`^\\s*${key}\\s*(=|\\{)`).test(l));
  return at < 0 ? undefined : at + 1;
};

const blocks = (value: unknown): Table[] => (Array.isArray(value) ? (value as Table[]) : typeof value === 'object' && value !== null ? [value as Table] : []);

/** "5s:10s", "5s" or a block { min, max } → switchyard's "MIN:MAX". */
const waitOf = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value;
  const [block] = blocks(value);
  if (!block || typeof block['min'] !== 'string') return undefined;
  return typeof block['max'] === 'string' ? `${block['min']}:${block['max']}` : block['min'];
};

/** perms = 0644 reaches us as the number 644 (HCL 2 numbers are decimal): its digits are octal. */
const modeOf = (value: unknown): string | undefined => {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : undefined;
  return text !== undefined && /^0?[0-7]{3,4}$/.test(text) ? text.padStart(4, '0') : undefined;
};

const shellQuote = (arg: string): string => (/^[A-Za-z0-9_./:=@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);

const TEMPLATE_CARRIED = new Set(['source', 'contents', 'destination', 'command', 'command_timeout', 'perms', 'wait', 'left_delimiter', 'right_delimiter']);

class Reader {
  readonly plan: Plan = { dialect: 'consul-template', resources: [], globals: {}, secrets: [], findings: [], notes: [] };
  private readonly base: string;
  private readonly names = new Set<string>();

  constructor(
    private readonly file: string,
    private readonly text: string,
  ) {
    this.base = dirname(file);
  }

  finding(block: string | undefined, index: number, key: string, reason: string, construct = key): void {
    const f: Finding = { file: this.file, construct, reason };
    const line = lineOf(this.text, block, index, key);
    if (line !== undefined) f.line = line;
    this.plan.findings.push(f);
  }

  private uniqueName(wanted: string): string {
    let name = wanted;
    for (let i = 2; this.names.has(name); i++) name = `${wanted}-${i}`;
    this.names.add(name);
    return name;
  }

  async template(t: Table, index: number): Promise<void> {
    for (const key of Object.keys(t)) {
      if (TEMPLATE_CARRIED.has(key)) continue;
      if (key === 'backup' && t[key] === true) this.finding('template', index, key, 'not converted: switchyard keeps the previous file only until the reload succeeded');
      else if (key === 'error_on_missing_key') {
        if (t[key] === true) this.plan.notes.push(`${this.file}: template ${index + 1}: error_on_missing_key: getv fails on a missing key; a missing field of a value renders empty`);
      } else if (key === 'create_dest_dirs' && t[key] !== false) continue;
      else this.finding('template', index, key, 'no switchyard equivalent; not carried over');
    }
    const dest = t['destination'];
    if (typeof dest !== 'string') return this.finding('template', index, 'template', 'no destination; block skipped', `template block ${index + 1}`);
    let source: string;
    let origin: string;
    let templateName: string;
    if (typeof t['contents'] === 'string') {
      source = t['contents'];
      origin = `${this.file}:${lineOf(this.text, 'template', index, 'contents') ?? 0}`;
      templateName = `${this.uniqueName(basename(dest).replace(/\.[^.]*$/, ''))}.hbs`;
    } else if (typeof t['source'] === 'string') {
      const path = resolve(this.base, t['source']);
      try {
        source = await readFile(path, 'utf8');
      } catch (err) {
        return this.finding('template', index, 'source', `cannot read the template: ${messageOf(err)}; block skipped`);
      }
      origin = path;
      templateName = templateNameOf(this.uniqueName(basename(path)));
    } else return this.finding('template', index, 'template', 'neither source nor contents; block skipped', `template block ${index + 1}`);
    const name = templateName.replace(/\.hbs$/, '');
    const table: Table = { dest: isAbsolute(dest) ? dest : resolve(this.base, dest) };
    if (!isAbsolute(dest)) this.plan.notes.push(`${this.file}: destination ${JSON.stringify(dest)} is taken relative to the configuration file: ${table['dest'] as string}`);
    const mode = t['perms'] === undefined ? undefined : modeOf(t['perms']);
    if (mode) table['mode'] = mode;
    else if (t['perms'] !== undefined) this.finding('template', index, 'perms', `not an octal mode: ${JSON.stringify(t['perms'])}`);
    const command = t['command'];
    if (typeof command === 'string' && command !== '') table['reload_cmd'] = command;
    if (Array.isArray(command) && command.length > 0) table['reload_cmd'] = command.map((c) => shellQuote(String(c))).join(' ');
    const wait = t['wait'] === undefined ? undefined : waitOf(t['wait']);
    if (wait) table['wait'] = wait;
    if (typeof t['command_timeout'] === 'string') {
      this.plan.globals['command_timeout'] = t['command_timeout'];
      this.plan.notes.push(`${this.file}: command_timeout ${t['command_timeout']} applies to every command (--command-timeout)`);
    }
    const resource: PlannedResource = { name, origin, templateName, source, table };
    const [left, right] = [t['left_delimiter'], t['right_delimiter']];
    if (typeof left === 'string' || typeof right === 'string') {
      resource.delimiters = { left: typeof left === 'string' && left ? left : '{{', right: typeof right === 'string' && right ? right : '}}' };
    }
    this.plan.resources.push(resource);
  }

  consul(c: Table): void {
    this.plan.globals['backend'] = 'consul';
    const ssl = blocks(c['ssl'])[0];
    const scheme = ssl?.['enabled'] === true ? 'https' : 'http';
    if (typeof c['address'] === 'string') {
      this.plan.globals['nodes'] = [c['address'].includes('://') ? c['address'] : `${scheme}://${c['address']}`];
    }
    if (typeof c['token'] === 'string' && c['token'] !== '') {
      this.plan.globals['auth_token'] = c['token'];
      this.plan.secrets.push('auth_token');
      this.plan.notes.push(`${this.file}: the consul token is written to switchyard.toml with mode 0600; or remove it there and set CONSUL_HTTP_TOKEN in the service's environment`);
    }
    if (ssl) {
      for (const [key, target] of [['cert', 'client_cert'], ['key', 'client_key'], ['ca_cert', 'client_ca_keys']] as const) {
        if (typeof ssl[key] === 'string') this.plan.globals[target] = ssl[key];
      }
    }
    for (const key of Object.keys(c)) {
      if (!['address', 'token', 'ssl'].includes(key)) this.finding('consul', 0, key, 'no switchyard equivalent; not carried over', `consul.${key}`);
    }
  }
}

/** Reads consul-template's configuration file into a plan. */
export const readConsulTemplateConfig = async (file: string): Promise<Plan> => {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, `cannot read: ${messageOf(err)}`, { cause: err });
  }
  const [config] = (await loadParser()).parseToObject(text);
  if (!config) throw new ConfigError(file, 'does not parse as HCL');
  const reader = new Reader(file, text);
  for (const [key, value] of Object.entries(config)) {
    if (key === 'template') {
      const list = blocks(value);
      for (let i = 0; i < list.length; i++) await reader.template(list[i] as Table, i);
    } else if (key === 'consul') reader.consul(blocks(value)[0] ?? {});
    else if (key === 'wait') {
      const wait = waitOf(value);
      if (wait) reader.plan.globals['wait'] = wait;
    } else if (key === 'log_level' && typeof value === 'string') reader.plan.globals['log_level'] = value.toLowerCase();
    else reader.finding(undefined, 0, key, 'no switchyard equivalent; not carried over');
  }
  return reader.plan;
};
