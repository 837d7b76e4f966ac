// Structured logging, text or JSON, to stderr. Secrets registered with
// addSecret() are masked in every line, whatever field they hide in.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'text' | 'json';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds these fields to every line. */
  child(fields: LogFields): Logger;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
export const LOG_LEVELS = Object.keys(LEVELS) as LogLevel[];

const secrets = new Set<string>();

/** Masks this value in every log line from now on. */
export const addSecret = (value: string | undefined): void => {
  if (value && value.length >= 3) secrets.add(value);
};

export const redact = (text: string): string => {
  let out = text;
  for (const s of secrets) out = out.split(s).join('***');
  return out;
};

const formatValue = (v: unknown): string => {
  if (v instanceof Error) return JSON.stringify(v.message);
  if (typeof v === 'string') return /^[\w./:@-]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
};

export interface LoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  write?: (line: string) => void;
}

export const createLogger = (options: LoggerOptions = {}, base: LogFields = {}): Logger => {
  const min = LEVELS[options.level ?? 'info'];
  const format = options.format ?? 'text';
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const emit = (level: LogLevel, msg: string, fields?: LogFields): void => {
    if (LEVELS[level] < min) return;
    const all = { ...base, ...fields };
    let line: string;
    if (format === 'json') {
      const plain: LogFields = {};
      for (const [k, v] of Object.entries(all)) plain[k] = v instanceof Error ? v.message : v;
      line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...plain });
    } else {
      const kv = Object.entries(all)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${formatValue(v)}`)
        .join(' ');
      line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${msg}${kv ? ' ' + kv : ''}`;
    }
    write(redact(line));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(options, { ...base, ...fields }),
  };
};

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = createLogger({ write: () => undefined });
