// Reads YAML/JSON documents from disk (file backend, `render --data`).
import { readFile } from 'node:fs/promises';
import { parse as parseYaml, YAMLError } from 'yaml';
import { flattenDocument } from './flatten.js';

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

/** Parses one YAML or JSON file (JSON is YAML) and returns its flat keys. */
export const readDocument = async (file: string): Promise<Map<string, string>> => {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DocumentError(file, code === 'ENOENT' ? 'file not found' : `cannot read: ${String(err)}`, { cause: err });
  }
  try {
    return flattenDocument(parseYaml(text, { prettyErrors: true }) ?? {});
  } catch (err) {
    throw new DocumentError(file, `not valid YAML/JSON${whereAndWhat(err)}`, { cause: err });
  }
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
  for (const file of files) {
    for (const [k, v] of await readDocument(file)) merged.set(k, v);
  }
  return merged;
};
