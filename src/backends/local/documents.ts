// Reads YAML/JSON documents from disk (file backend, `render --data`).
import { isUtf8 } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import { parse as parseYaml, YAMLError } from 'yaml';
import { flattenDocument, KeyCollisionError } from './flatten.js';

export class DocumentError extends Error {
  override readonly name = 'DocumentError';
  constructor(
    readonly file: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${detail}`, options);
  }
}

/** Keys whose values were decoded from invalid UTF-8, by the map they were read into. */
const invalidKeys = new WeakMap<Map<string, string>, string[]>();

/** The keys of a map from readDocument(s) whose bytes were not valid UTF-8. */
export const invalidUtf8Of = (values: Map<string, string>): string[] => invalidKeys.get(values) ?? [];

/** Parses one YAML or JSON file (JSON is YAML) and returns its flat keys; two places that become one key are an error. */
export const readDocument = async (file: string): Promise<Map<string, string>> => {
  let text: string;
  let valid: boolean;
  try {
    const bytes = await readFile(file);
    valid = isUtf8(bytes);
    text = bytes.toString('utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DocumentError(file, code === 'ENOENT' ? 'file not found' : `cannot read: ${String(err)}`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: true }) ?? {};
  } catch (err) {
    throw new DocumentError(file, `not valid YAML/JSON${whereAndWhat(err)}`, { cause: err });
  }
  let values: Map<string, string>;
  try {
    values = flattenDocument(doc);
  } catch (err) {
    if (err instanceof KeyCollisionError) throw new DocumentError(file, err.message, { cause: err });
    throw err;
  }
  // Bad bytes became U+FFFD: the keys holding one are those to name.
  if (!valid) invalidKeys.set(values, [...values].filter(([, v]) => v.includes('\uFFFD')).map(([k]) => k));
  return values;
};

/**
 * The position and kind of a parse error, never the text around it: a data
 * file may hold secrets, and the parser's message quotes the offending line.
 */
const whereAndWhat = (err: unknown): string => {
  if (!(err instanceof YAMLError)) return '';
  const pos = err.linePos?.[0];
  const kind = err.code.toLowerCase().replace(/_/g, ' ');
  return `${pos ? ` at line ${pos.line}, column ${pos.col}` : ''} (${kind})`;
};

/** Reads several documents; later files override earlier ones key by key. */
export const readDocuments = async (files: readonly string[]): Promise<Map<string, string>> => {
  const merged = new Map<string, string>();
  const invalid: string[] = [];
  for (const file of files) {
    const values = await readDocument(file);
    for (const [k, v] of values) merged.set(k, v);
    invalid.push(...invalidUtf8Of(values));
  }
  if (invalid.length > 0) invalidKeys.set(merged, invalid);
  return merged;
};
