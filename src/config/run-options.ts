// Merges the run's options: flags win over SWITCHYARD_* environment
// variables, which win over switchyard.toml, which wins over the defaults.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { BackendOptions } from '../backends/backend.js';
import { BACKEND_NAMES, type BackendName } from '../backends/index.js';
import { ConfigError } from '../errors.js';
import { addSecret, LOG_LEVELS, type LogFormat, type LogLevel } from '../log.js';
import { parseDuration, parseQuiescence, parseTimerDuration } from './duration.js';
import { parseListenAddr } from './listen-addr.js';
import { showValue } from './show-value.js';
import { envNameOf, RENDER_LIMIT_OPTIONS, RUN_OPTIONS, tomlKeyOf, type OptionSpec } from './option-table.js';
import type { Quiescence, ResourcePolicy } from './resource.js';
import type { RenderLimits } from '../template/limits.js';
import { renderLimitsOf, type InvalidOption } from './render-limits.js';
import { canonicalOptionsTable } from './confd-toml.js';
import { readToml } from './toml.js';

export const DEFAULT_HISTORY_DIR = '/var/lib/switchyard/history';
export const DEFAULT_HISTORY_KEEP = 50;

export type Mode = 'onetime' | 'watch' | 'interval';

/** The run's options; the backend's own (endpoints, credentials, TLS) come from BackendOptions. */
export interface RunOptions extends Omit<BackendOptions, 'requestTimeoutMs'> {
  confdir: string;
  configFile?: string;
  backend: BackendName;
  prefix: string;
  mode: Mode;
  intervalSeconds?: number;
  noop: boolean;
  syncOnly: boolean;
  keepStageFile: boolean;
  wait?: Quiescence;
  commandTimeoutMs: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
  metricsAddr?: string;
  /** dest_dirs and the default of each resource's strict key. */
  policy: ResourcePolicy;
  renderLimits: RenderLimits;
  historyDir: string;
  historyKeep: number;
  /** --report-prefix: where hosts report (the run with --report, fleet status). */
  reportPrefix: string;
  /** With --report. */
  report?: { hostId: string; ttlMs: number };
}

export type RawOptions = Record<string, unknown>;

/** Where hosts report with --report, and how long a report outlives its host. */
export const DEFAULT_REPORT_PREFIX = '/switchyard';
export const DEFAULT_REPORT_TTL_MS = 15_000;

/** What the backend itself needs of the run's options. */
export const backendOptionsOf = ({ nodes, files, username, password, authToken, clientCert, clientKey, clientCaKeys }: RunOptions): BackendOptions => ({
  nodes,
  files,
  username,
  password,
  authToken,
  clientCert,
  clientKey,
  clientCaKeys,
});

const coerce = (spec: OptionSpec, value: unknown, source: string): unknown => {
  const bad = (expected: string): never => {
    throw new ConfigError(undefined, `${source}: expected ${expected}, got ${JSON.stringify(value)}`, { key: spec.flag });
  };
  switch (spec.type) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && /^(true|1|yes)$/i.test(value)) return true;
      if (typeof value === 'string' && /^(false|0|no)$/i.test(value)) return false;
      return bad('true or false');
    case 'number': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : bad('a positive number');
    }
    case 'list':
      if (typeof value === 'string') {
        const items = value.split(',').map((s) => s.trim()).filter(Boolean);
        return items.length > 0 || value === '' ? items : bad('a comma-separated list');
      }
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
      return bad('a list of strings');
    case 'string':
      return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : bad('a string');
  }
};

const fromEnv = (env: NodeJS.ProcessEnv, specs: readonly OptionSpec[] = RUN_OPTIONS): RawOptions => {
  const out: RawOptions = {};
  for (const spec of specs) {
    const v = env[envNameOf(spec)];
    if (v !== undefined && v !== '') out[spec.name] = coerce(spec, v, envNameOf(spec));
  }
  return out;
};

const fromFile = async (file: string): Promise<RawOptions> => {
  const specs = RUN_OPTIONS.filter((s) => !s.cliOnly);
  const table = canonicalOptionsTable(file, await readToml(file), specs.map(tomlKeyOf));
  const out: RawOptions = {};
  for (const spec of specs) {
    const v = table[tomlKeyOf(spec)];
    if (v === undefined) continue;
    try {
      out[spec.name] = coerce(spec, typeof v === 'bigint' ? Number(v) : v, tomlKeyOf(spec));
      // Paths in the file are relative to the file, not to where switchyard runs.
      if (spec.name === 'files') out[spec.name] = (out[spec.name] as string[]).map((f) => resolve(dirname(file), f));
      if (spec.name === 'historyDir') out[spec.name] = resolve(dirname(file), out[spec.name] as string);
    } catch (err) {
      throw new ConfigError(file, (err as Error).message, { key: tomlKeyOf(spec), cause: err });
    }
  }
  return out;
};

/** confd's names for the stores switchyard reads the same way. */
const BACKEND_ALIASES: Readonly<Record<string, BackendName>> = { etcdv3: 'etcd' };

/** Polling more often than this is a busy loop, not a configuration. */
const MIN_INTERVAL_MS = 100;

/** A password inside an endpoint URL (http://user:pass@host) is a secret like --password. */
const maskUrlPassword = (node: string): void => {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/@]*?:([^/@]*)@/i.exec(node);
  if (!m?.[1]) return;
  addSecret(m[1]);
  try {
    addSecret(decodeURIComponent(m[1]));
  } catch {
    // Not percent-encoded: the raw form is masked already.
  }
};

// An endpoint: scheme://host[:port] or host:port, nothing after the host.
const checkNode = (node: string, source: string): string => {
  let url: URL | undefined;
  try {
    url = new URL(node.includes('://') ? node : `http://${node}`);
  } catch {
    url = undefined;
  }
  const plain = url && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && url.pathname === '/' && !url.search && !url.hash;
  if (!plain || /\s/.test(node)) {
    throw new ConfigError(undefined, `${source}: expected an endpoint such as http://127.0.0.1:2379, got ${showValue(node)}`, { key: 'node' });
  }
  return node;
};

const pick = <T>(value: unknown, allowed: readonly T[], key: string): T => {
  if (allowed.includes(value as T)) return value as T;
  throw new ConfigError(undefined, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`, { key });
};

/** A bad value names where it came from: the flag, the variable or the file's key. */
const invalidFrom =
  (flags: RawOptions, envOpts: RawOptions, configFile: string | undefined): InvalidOption =>
  (name, detail) => {
    const spec = RUN_OPTIONS.find((s) => s.name === name)!;
    if (flags[name] !== undefined) return new ConfigError(undefined, detail, { key: `--${spec.flag}` });
    if (envOpts[name] !== undefined) return new ConfigError(undefined, detail, { key: envNameOf(spec) });
    return new ConfigError(configFile, detail, { key: tomlKeyOf(spec) });
  };

/**
 * `render`'s limits: its flags (only those given) win over SWITCHYARD_*
 * variables, as in the run; no config file, since a preview needs no confdir.
 */
export const resolveRenderLimits = (flags: RawOptions, env: NodeJS.ProcessEnv = process.env): RenderLimits => {
  const envOpts = fromEnv(env, RENDER_LIMIT_OPTIONS);
  return renderLimitsOf({ ...envOpts, ...flags }, invalidFrom(flags, envOpts, undefined));
};

/** Merges flags (only those given), environment and config file into RunOptions. */
export const resolveRunOptions = async (flags: RawOptions, env: NodeJS.ProcessEnv = process.env): Promise<RunOptions> => {
  const envOpts = fromEnv(env);
  // Consul's own variable, as its tools read it, when SWITCHYARD_AUTH_TOKEN is not set.
  if (envOpts['authToken'] === undefined && env['CONSUL_HTTP_TOKEN']) envOpts['authToken'] = env['CONSUL_HTTP_TOKEN'];
  const early = { ...envOpts, ...flags };
  const confdirGuess = resolve(String(early['confdir'] ?? '/etc/switchyard'));
  const explicitFile = (flags['configFile'] ?? env['SWITCHYARD_CONFIG_FILE']) as string | undefined;
  const configFile = explicitFile ? resolve(explicitFile) : join(confdirGuess, 'switchyard.toml');
  if (explicitFile && !existsSync(configFile)) {
    throw new ConfigError(configFile, 'config file not found', { key: 'config-file' });
  }
  const fileOpts = existsSync(configFile) ? await fromFile(configFile) : {};
  const m: RawOptions = { ...fileOpts, ...envOpts, ...flags };

  const invalid = invalidFrom(flags, envOpts, configFile);
  const checked = (name: string, parse: (text: string) => number | string): number | undefined => {
    if (m[name] === undefined) return undefined;
    const ms = parse(String(m[name]));
    if (typeof ms === 'string') throw invalid(name, ms);
    return ms;
  };

  const backendName = m['backend'] ?? 'etcd';
  const backend = pick(BACKEND_ALIASES[String(backendName)] ?? backendName, BACKEND_NAMES, 'backend');
  const onetime = m['onetime'] === true;
  const intervalMs = checked('interval', (t) => parseTimerDuration(t, MIN_INTERVAL_MS));
  const interval = intervalMs === undefined ? undefined : intervalMs / 1000;
  if (onetime && interval !== undefined) {
    throw new ConfigError(undefined, '--onetime and --interval exclude each other', { key: 'interval' });
  }
  if (onetime && m['watch'] === true) {
    throw new ConfigError(undefined, '--onetime and --watch exclude each other: give one', { key: 'watch' });
  }
  const nodeSource = flags['nodes'] !== undefined ? '--node' : envOpts['nodes'] !== undefined ? 'SWITCHYARD_NODE' : 'nodes';
  for (const node of (m['nodes'] as string[] | undefined) ?? []) checkNode(node, nodeSource);
  const files = (m['files'] as string[] | undefined) ?? [];
  if (backend === 'file' && files.length === 0) {
    throw new ConfigError(undefined, 'the file backend needs at least one --file', { key: 'file' });
  }
  const opts: RunOptions = {
    confdir: resolve(String(m['confdir'] ?? '/etc/switchyard')),
    backend,
    nodes: (m['nodes'] as string[] | undefined) ?? [],
    files: files.map((f) => resolve(f)),
    prefix: String(m['prefix'] ?? ''),
    mode: onetime ? 'onetime' : interval !== undefined ? 'interval' : 'watch',
    noop: m['noop'] === true,
    syncOnly: m['syncOnly'] === true,
    keepStageFile: m['keepStageFile'] === true,
    commandTimeoutMs: 60_000,
    logLevel: pick(m['logLevel'] ?? 'info', LOG_LEVELS, 'log-level'),
    logFormat: pick(m['logFormat'] ?? 'text', ['text', 'json'] as const, 'log-format'),
    policy: {
      destDirs: ((m['destDirs'] as string[] | undefined) ?? []).map((d) => resolve(d)),
      strict: m['strict'] !== false,
    },
    renderLimits: renderLimitsOf(m, invalid),
    historyDir: resolve(String(m['historyDir'] ?? DEFAULT_HISTORY_DIR)),
    historyKeep: Math.floor((m['historyKeep'] as number | undefined) ?? DEFAULT_HISTORY_KEEP),
    reportPrefix: String(m['reportPrefix'] ?? DEFAULT_REPORT_PREFIX),
  };
  if (m['report'] === true) {
    if (backend !== 'etcd' && backend !== 'consul') {
      throw new ConfigError(undefined, `--report needs a store with leases (etcd or consul), not the ${backend} backend`, { key: 'report' });
    }
    if (onetime) throw new ConfigError(undefined, '--report needs a running daemon (watch or --interval), not --onetime', { key: 'report' });
    const hostId = String(m['hostId'] ?? process.getBuiltinModule('node:os').hostname());
    if (hostId === '' || hostId.includes('/')) throw invalid('hostId', `expected a host name without "/", got ${showValue(hostId)}`);
    opts.report = { hostId, ttlMs: checked('reportTtl', (t) => parseTimerDuration(t, 1000)) ?? DEFAULT_REPORT_TTL_MS };
  }
  if (existsSync(configFile)) opts.configFile = configFile;
  if (interval !== undefined) opts.intervalSeconds = interval;
  if (m['wait'] !== undefined) {
    const q = parseQuiescence(String(m['wait']));
    if (typeof q === 'string') throw invalid('wait', q);
    opts.wait = q;
  }
  opts.commandTimeoutMs = checked('commandTimeout', (t) => parseTimerDuration(t)) ?? opts.commandTimeoutMs;
  if (m['metricsAddr'] !== undefined) {
    const addr = parseListenAddr(String(m['metricsAddr']));
    if (typeof addr === 'string') throw invalid('metricsAddr', addr);
  }
  for (const key of ['username', 'password', 'authToken', 'clientCert', 'clientKey', 'clientCaKeys', 'metricsAddr'] as const) {
    const v = m[key];
    if (typeof v === 'string' && v !== '') opts[key] = v;
  }
  // Masked in every log line from the moment they are read, whatever reads them next.
  addSecret(opts.password);
  addSecret(opts.authToken);
  for (const node of opts.nodes) maskUrlPassword(node);
  return opts;
};
