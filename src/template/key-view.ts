// The keys a template sees: those under the resource's prefix, with the
// prefix stripped (confd stores "/app/port" as "/port" when prefix is "/app").
import { isKeyUnder, joinKey, normalizeKey } from '../backends/keys.js';
import { globPattern } from './glob.js';

export interface KeyPair {
  key: string;
  value: string;
}

export interface KeyView {
  readonly prefix: string;
  /** Relative key → value. */
  readonly values: ReadonlyMap<string, string>;
  /** The absolute key a relative one stands for. */
  fullKey(key: string): string;
  get(key: string): string | undefined;
  /** Pairs whose relative key matches a path.Match pattern, sorted by key. */
  match(pattern: string): KeyPair[];
  /** Child names below dir (a key equal to dir lists its own name). */
  list(dir: string): string[];
  /** Child names below dir that have children themselves. */
  listDirs(dir: string): string[];
}

const segments = (key: string): string[] => key.split('/').filter((s) => s.length > 0);

const startsWith = (terms: string[], head: string[]): boolean => head.every((t, i) => terms[i] === t);

const sortedUnique = (names: Iterable<string>): string[] => [...new Set(names)].sort();

const byKey = (a: KeyPair, b: KeyPair): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

const buildView = (values: ReadonlyMap<string, string>, rawPrefix: string): KeyView => {
  const prefix = normalizeKey(rawPrefix);
  const rel = new Map<string, string>();
  const rawKeys = new Map<string, string>();
  for (const [key, value] of values) {
    if (!isKeyUnder(key, prefix)) continue;
    const relative = normalizeKey(prefix === '/' ? key : key.slice(prefix.length));
    // "/app//x", "/app/x/" and "/app/x" are one key to a template: two of them is ambiguous.
    const other = rawKeys.get(relative);
    if (other !== undefined) {
      throw new Error(`keys ${JSON.stringify(other.slice(0, 200))} and ${JSON.stringify(key.slice(0, 200))} are the same key ${relative} once repeated or trailing "/" are dropped; delete one`);
    }
    rawKeys.set(relative, key);
    rel.set(relative, value);
  }
  const children = (dir: string, needGrandchildren: boolean): string[] => {
    const head = segments(dir);
    const names: string[] = [];
    for (const key of rel.keys()) {
      const terms = segments(key);
      const depth = needGrandchildren ? head.length + 1 : head.length;
      if (terms.length > depth && startsWith(terms, head)) names.push(terms[head.length] as string);
      else if (!needGrandchildren && key === normalizeKey(dir) && terms.length > 0) names.push(terms.at(-1) as string);
    }
    return sortedUnique(names);
  };
  return {
    prefix,
    values: rel,
    fullKey: (key) => joinKey(prefix, key),
    get: (key) => rel.get(normalizeKey(key)),
    match: (pattern) => {
      // Compiled first, so a malformed pattern fails even when no key exists.
      const re = globPattern(pattern);
      const pairs: KeyPair[] = [];
      for (const [key, value] of rel) if (re.test(key)) pairs.push({ key, value });
      return pairs.sort(byKey);
    },
    list: (dir) => children(dir, false),
    listDirs: (dir) => children(dir, true),
  };
};

// One snapshot is rendered by many resources and many passes: build each view once.
const views = new WeakMap<ReadonlyMap<string, string>, Map<string, KeyView>>();

export const keyViewOf = (values: ReadonlyMap<string, string>, prefix: string): KeyView => {
  let byPrefix = views.get(values);
  if (!byPrefix) views.set(values, (byPrefix = new Map()));
  let view = byPrefix.get(prefix);
  if (!view) byPrefix.set(prefix, (view = buildView(values, prefix)));
  return view;
};
