// Merges the run's options: flags win over SWITCHYARD_* environment
// variables, which win over switchyard.toml, which wins over the defaults.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { BackendOptions } from '../backends/backend.js';
import { BACKEND_NAMES, type BackendName } from '../backends/index.js';
import { ConfigError } from '../errors.js';
import { addSecret, LOG_LEVELS, type LogFormat, type LogLevel } from '../log.js';
import { parseDuration, parseQuiescence } from './duration.js';
import { envNameOf, RUN_OPTIONS, tomlKeyOf, type OptionSpec } from './option-table.js';
import type { Quiescence } from './resource.js';
import { readToml, rejectUnknownKeys } from './toml.js';

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
  historyDir: string;
  historyKeep: number;
}

export type RawOptions = Record<string, unknown>;

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
      if (typeof value === 'string') return value.split(',').map((s) => s.trim()).filter(Boolean);
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
      return bad('a list of strings');
    case 'string':
      return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : bad('a string');
  }
};

const fromEnv = (env: NodeJS.ProcessEnv): RawOptions => {
  const out: RawOptions = {};
  for (const spec of RUN_OPTIONS) {
    const v = env[envNameOf(spec)];
    if (v !== undefined && v !== '') out[spec.name] = coerce(spec, v, envNameOf(spec));
  }
  if (out['authToken'] === undefined && env['CONSUL_HTTP_TOKEN']) out['authToken'] = env['CONSUL_HTTP_TOKEN'];
  return out;
};

const fromFile = async (file: string): Promise<RawOptions> => {
  const table = await readToml(file);
  const specs = RUN_OPTIONS.filter((s) => !s.cliOnly);
  rejectUnknownKeys(file, table, specs.map(tomlKeyOf), 'top level');
  const out: RawOptions = {};
  for (const spec of specs) {
    const v = table[tomlKeyOf(spec)];
    if (v === undefined) continue;
    try {
      out[spec.name] = coerce(spec, typeof v === 'bigint' ? Number(v) : v, tomlKeyOf(spec));
      // Paths in the file are relative to the file, not to where switchyard runs.
      if (spec.name === 'files') out[spec.name] = (out[spec.name] as string[]).map((f) => resolve(dirname(file), f));
    } catch (err) {
      throw new ConfigError(file, (err as Error).message, { key: tomlKeyOf(spec), cause: err });
    }
  }
  return out;
};

const pick = <T>(value: unknown, allowed: readonly T[], key: string): T => {
  if (allowed.includes(value as T)) return value as T;
  throw new ConfigError(undefined, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`, { key });
};

/** Merges flags (only those given), environment and config file into RunOptions. */
export const resolveRunOptions = async (flags: RawOptions, env: NodeJS.ProcessEnv = process.env): Promise<RunOptions> => {
  const envOpts = fromEnv(env);
  const early = { ...envOpts, ...flags };
  const confdirGuess = resolve(String(early['confdir'] ?? '/etc/switchyard'));
  const explicitFile = (flags['configFile'] ?? env['SWITCHYARD_CONFIG_FILE']) as string | undefined;
  const configFile = explicitFile ? resolve(explicitFile) : join(confdirGuess, 'switchyard.toml');
  if (explicitFile && !existsSync(configFile)) {
    throw new ConfigError(configFile, 'config file not found', { key: 'config-file' });
  }
  const fileOpts = existsSync(configFile) ? await fromFile(configFile) : {};
  const m: RawOptions = { ...fileOpts, ...envOpts, ...flags };

  const backend = pick(m['backend'] ?? 'etcd', BACKEND_NAMES, 'backend');
  const onetime = m['onetime'] === true;
  const interval = m['interval'] as number | undefined;
  if (onetime && interval !== undefined) {
    throw new ConfigError(undefined, '--onetime and --interval exclude each other', { key: 'interval' });
  }
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
    historyDir: resolve(String(m['historyDir'] ?? DEFAULT_HISTORY_DIR)),
    historyKeep: Math.floor((m['historyKeep'] as number | undefined) ?? DEFAULT_HISTORY_KEEP),
  };
  if (existsSync(configFile)) opts.configFile = configFile;
  if (interval !== undefined) opts.intervalSeconds = interval;
  if (m['wait'] !== undefined) {
    const q = parseQuiescence(String(m['wait']));
    if (typeof q === 'string') throw new ConfigError(undefined, q, { key: 'wait' });
    opts.wait = q;
  }
  if (m['commandTimeout'] !== undefined) {
    const ms = parseDuration(String(m['commandTimeout']));
    if (ms === undefined || ms <= 0) throw new ConfigError(undefined, `"${String(m['commandTimeout'])}" is not a duration`, { key: 'command-timeout' });
    opts.commandTimeoutMs = ms;
  }
  for (const key of ['username', 'password', 'authToken', 'clientCert', 'clientKey', 'clientCaKeys', 'metricsAddr'] as const) {
    const v = m[key];
    if (typeof v === 'string' && v !== '') opts[key] = v;
  }
  // Masked in every log line from the moment they are read, whatever reads them next.
  addSecret(opts.password);
  addSecret(opts.authToken);
  return opts;
};
