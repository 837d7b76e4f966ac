// TOML reading with errors that name the file, line and column, and typed
// field access that names the key at fault. Configuration files are small and
// read once per load: read synchronously, which also spares start-up loading
// node:fs/promises.
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';

export type Table = Record<string, unknown>;

export const readToml = async (file: string): Promise<Table> => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, `cannot read: ${(err as Error).message}`, { cause: err });
  }
  try {
    // Loaded on first use: --version and --help need no TOML.
    const { parse } = await import('smol-toml');
    return parse(text) as Table;
  } catch (err) {
    const e = err as { line?: number; column?: number; message: string };
    const where = e.line !== undefined ? `${e.line}:${e.column ?? 0}: ` : '';
    const first = e.message.split('\n')[0] ?? e.message;
    throw new ConfigError(file, `${where}${first.replace(/^Invalid TOML document: /, 'invalid TOML: ')}`, { cause: err });
  }
};

/** Rejects keys that are not in the allowed list (typos must not pass silently). */
export const rejectUnknownKeys = (file: string, table: Table, allowed: readonly string[], where: string): void => {
  for (const key of Object.keys(table)) {
    if (!allowed.includes(key)) {
      throw new ConfigError(file, `unknown key in ${where}; allowed keys are ${allowed.join(', ')}`, {
        key: where === 'top level' ? key : `${where}.${key}`,
      });
    }
  }
};

/** Typed accessors; each throws a ConfigError naming file and key. */
export const fieldReader = (file: string, table: Table, section: string) => {
  const qualified = (key: string): string => (section ? `${section}.${key}` : key);
  const fail = (key: string, expected: string, value: unknown): never => {
    const shown = typeof value === 'bigint' ? String(value) : (JSON.stringify(value) ?? String(value));
    throw new ConfigError(file, `expected ${expected}, got ${shown.length > 80 ? `${shown.slice(0, 80)}…` : shown}`, { key: qualified(key) });
  };
  return {
    string: (key: string): string | undefined => {
      const v = table[key];
      if (v === undefined) return undefined;
      return typeof v === 'string' ? v : fail(key, 'a string', v);
    },
    integer: (key: string, max = Number.MAX_SAFE_INTEGER): number | undefined => {
      const v = table[key];
      if (v === undefined) return undefined;
      const n = typeof v === 'bigint' ? Number(v) : v;
      return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= max ? n : fail(key, `an integer from 0 to ${max}`, v);
    },
    boolean: (key: string): boolean | undefined => {
      const v = table[key];
      if (v === undefined) return undefined;
      return typeof v === 'boolean' ? v : fail(key, 'true or false', v);
    },
    strings: (key: string): string[] | undefined => {
      const v = table[key];
      if (v === undefined) return undefined;
      if (typeof v === 'string') return [v];
      return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : fail(key, 'a list of strings', v);
    },
    fail: (key: string, detail: string): never => {
      throw new ConfigError(file, detail, { key: qualified(key) });
    },
  };
};
