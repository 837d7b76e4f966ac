// The file backend's view of a YAML/JSON document: nested maps and arrays
// become flat key paths, as confd does ({app: {port: 9001}} → /app/port).
// Two places in one document that become the same key ("/v/" and "v", or
// "a/b" and a: {b}) are an error naming both: confd keeps one of them
// silently, in no stated order.

/** A place in a document: the mapping keys and array indices from the root. */
export type SourcePath = readonly (string | number)[];

const SHOWN_KEY_CHARS = 200;

const shorten = (text: string): string => (text.length > SHOWN_KEY_CHARS ? `${text.slice(0, SHOWN_KEY_CHARS)}…` : text);

/** ["a/b"], ["a", "b"], ["hosts", 0]: JSON, so a key's "/", quotes or newlines stay visible. */
const showSourcePath = (source: SourcePath): string => JSON.stringify(source.map((s) => (typeof s === 'string' ? shorten(s) : s)));

export class KeyCollisionError extends Error {
  override readonly name = 'KeyCollisionError';
  constructor(
    readonly key: string,
    readonly first: SourcePath,
    readonly second: SourcePath,
  ) {
    super(`${showSourcePath(first)} and ${showSourcePath(second)} both become the key ${JSON.stringify(shorten(key))}; rename or remove one`);
  }
}

type Leaf = (key: string, value: unknown, source: readonly (string | number)[] | undefined) => void;

const scalarToString = (value: unknown): string => {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  return String(value);
};

/**
 * Calls `leaf` for every scalar with its flat key and, when `source` is
 * given, its place in the document (`source` is reused: copy it to keep it).
 */
const walk = (node: unknown, leaf: Leaf, key: string, source?: (string | number)[]): void => {
  if (Array.isArray(node)) {
    node.forEach((item, i) => {
      source?.push(i);
      walk(item, leaf, `${key}/${i}`, source);
      source?.pop();
    });
  } else if (node !== null && typeof node === 'object' && !(node instanceof Date)) {
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      const segment = k.replace(/^\/+|\/+$/g, '');
      source?.push(k);
      walk(v, leaf, segment ? `${key}/${segment}` : key, source);
      source?.pop();
    }
  } else {
    leaf(key || '/', node, source);
  }
};

/** The error for `key`, with the first two places in the document that become it. */
const collision = (doc: unknown, key: string): KeyCollisionError => {
  const places: SourcePath[] = [];
  walk(doc, (k, _v, source) => {
    if (k === key && source && places.length < 2) places.push([...source]);
  }, '', []);
  return new KeyCollisionError(key, places[0] ?? [], places[1] ?? []);
};

/** The document's flat keys; throws KeyCollisionError when two places become one key. */
export const flattenDocument = (doc: unknown): Map<string, string> => {
  const into = new Map<string, string>();
  walk(doc, (key, value) => {
    const size = into.size;
    into.set(key, scalarToString(value));
    // A key seen before does not grow the map. The places are looked up only then: no work for a sound document.
    if (into.size === size) throw collision(doc, key);
  }, '');
  return into;
};
