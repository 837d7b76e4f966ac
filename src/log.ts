// Structured logging, text or JSON, to stderr. Secrets registered with
// addSecret() are masked in every line, whatever field they hide in: in the
// values before they are serialised (so no escaping can hide them), and in
// the finished line in raw, JSON-escaped and URL-encoded form.
import { isoTime } from './iso-time.js';

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
/** Every spelling of every secret, longest first. */
let spellings: string[] = [];

const spellingsOf = (value: string): string[] => {
  const json = JSON.stringify(value).slice(1, -1);
  const ascii = json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const forms = [value, json, JSON.stringify(json).slice(1, -1), ascii, encodeURIComponent(value), encodeURI(value)];
  return forms.filter((f) => f.length >= 3);
};

/** Masks this value in every log line from now on. */
export const addSecret = (value: string | undefined): void => {
  if (!value || value.length < 3 || secrets.has(value)) return;
  secrets.add(value);
  spellings = [...new Set([...spellings, ...spellingsOf(value)])].sort((a, b) => b.length - a.length);
};

/** True when the text holds a registered secret in any spelling. */
export const containsSecret = (text: string): boolean => spellings.some((s) => text.includes(s));

export const redact = (text: string): string => {
  let out = text;
  for (const s of spellings) if (out.includes(s)) out = out.split(s).join('***');
  return out;
};

/** A copy of a log value with every string masked, before anything escapes it. */
const redactValue = (v: unknown, depth = 0): unknown => {
  if (spellings.length === 0) return v;
  if (typeof v === 'string') return redact(v);
  if (v instanceof Error) return redact(v.message);
  if (depth > 8 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => redactValue(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[redact(k)] = redactValue(x, depth + 1);
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
    const all = redactValue({ ...base, ...fields }) as LogFields;
    const text = redact(msg);
    let line: string;
    if (format === 'json') {
      const plain: LogFields = {};
      for (const [k, v] of Object.entries(all)) plain[k] = v instanceof Error ? v.message : v;
      line = JSON.stringify({ time: isoTime(), level, msg: text, ...plain });
    } else {
      const kv = Object.entries(all)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${formatValue(v)}`)
        .join(' ');
      line = `${isoTime()} ${level.toUpperCase().padEnd(5)} ${text}${kv ? ' ' + kv : ''}`;
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
