// The keys a template sees: those under the resource's prefix, with the
// prefix stripped (confd stores "/app/port" as "/port" when prefix is "/app").
//
// A snapshot is indexed once (its keys sorted, in one array) and every view
// of it is a range of that array: no copy of the keys, and a pattern such as
// "/servers/*" looks only at the keys that start with "/servers/". Snapshots
// whose keys are not all normalized ("/app//x", "/app/x/") take the slow
// path, which normalizes each key and rejects two that become one.
import { isKeyUnder, joinKey, normalizeKey } from '../backends/keys.js';
import { globPattern } from './glob.js';

/** A key and its value as gets returns them; `Key`/`Value` are confd's names (read through the prototype). */
export class KeyPair {
  constructor(
    readonly key: string,
    readonly value: string,
  ) {}
  get Key(): string {
    return this.key;
  }
  get Value(): string {
    return this.value;
  }
}

/** Prototype properties a template may read (Handlebars' allowedProtoProperties). */
export const KEY_PAIR_FIELDS: Readonly<Record<string, boolean>> = { Key: true, Value: true };

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

/** The characters of a pattern before its first wildcard, class or escape. */
const literalHead = (pattern: string): string => {
  const at = pattern.search(/[*?[\\]/);
  return at < 0 ? pattern : pattern.slice(0, at);
};

/** First index in sorted `keys` at or after `from` whose key is ≥ `target`. */
const lowerBound = (keys: readonly string[], target: string, from = 0, to = keys.length): number => {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

/** Child names below dir, from relative keys (shared by both kinds of view). */
const childNames = (relKeys: Iterable<string>, dir: string, needGrandchildren: boolean): string[] => {
  const head = segments(dir);
  const self = normalizeKey(dir);
  const names: string[] = [];
  for (const key of relKeys) {
    const terms = segments(key);
    const depth = needGrandchildren ? head.length + 1 : head.length;
    if (terms.length > depth && startsWith(terms, head)) names.push(terms[head.length] as string);
    else if (!needGrandchildren && key === self && terms.length > 0) names.push(terms.at(-1) as string);
  }
  return sortedUnique(names);
};

/** The slow path: every key normalized, the relative keys copied into a map of their own. */
const buildCopiedView = (values: ReadonlyMap<string, string>, prefix: string): KeyView => {
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
  return {
    prefix,
    values: rel,
    fullKey: (key) => joinKey(prefix, key),
    get: (key) => rel.get(normalizeKey(key)),
    match: (pattern) => {
      // Compiled first, so a malformed pattern fails even when no key exists.
      const re = globPattern(pattern);
      const pairs: KeyPair[] = [];
      for (const [key, value] of rel) if (re.test(key)) pairs.push(new KeyPair(key, value));
      return pairs.sort(byKey);
    },
    list: (dir) => childNames(rel.keys(), dir, false),
    listDirs: (dir) => childNames(rel.keys(), dir, true),
  };
};

/** A snapshot's keys, sorted, when every one is normalized; undefined otherwise. */
interface SnapshotIndex {
  keys: string[];
}

const indexes = new WeakMap<ReadonlyMap<string, string>, SnapshotIndex | null>();

const indexOf = (values: ReadonlyMap<string, string>): SnapshotIndex | undefined => {
  let index = indexes.get(values);
  if (index === undefined) {
    const keys = [...values.keys()];
    let sorted = true;
    index = { keys };
    // Each key as normalizeKey leaves it: a leading "/", no empty segment,
    // no trailing "/" (except "/"). The test is written out in the loop, not
    // called per key: a small function called a thousand times is compiled
    // by the optimizing compiler, which costs a one-shot more than the calls.
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      if (key.charCodeAt(0) !== 47 || (key.length > 1 && key.charCodeAt(key.length - 1) === 47) || key.includes('//')) {
        index = null;
        break;
      }
      if (i > 0 && (keys[i - 1] as string) > key) sorted = false;
    }
    // Backends hand over sorted snapshots; sort only the others.
    if (index && !sorted) keys.sort();
    indexes.set(values, index);
  }
  return index ?? undefined;
};

/** The fast path: the view is the range of the sorted keys under the prefix (plus the prefix itself). */
const buildRangeView = (values: ReadonlyMap<string, string>, prefix: string, keys: readonly string[]): KeyView => {
  const root = prefix === '/';
  // Keys below the prefix sort between "P/" and "P0" ("0" follows "/"); "P-x" does not fall in between.
  const lo = root ? 0 : lowerBound(keys, prefix + '/');
  const hi = root ? keys.length : lowerBound(keys, prefix + '0', lo);
  const selfValue = root ? undefined : values.get(prefix);
  const cut = root ? 0 : prefix.length;
  const absolute = (relative: string): string => (root ? relative : relative === '/' ? prefix : prefix + relative);
  // One pair object per key, made when a pattern first matches it.
  const pairs: (KeyPair | undefined)[] = [];
  let selfPair: KeyPair | undefined;
  function* relKeys(): Generator<string> {
    if (selfValue !== undefined) yield '/';
    for (let i = lo; i < hi; i++) yield (keys[i] as string).slice(cut);
  }
  let rel: Map<string, string> | undefined;
  // What each pattern matched: gets and getvs of one pattern (or two resources' renders) walk the keys once.
  const matched = new Map<string, KeyPair[]>();
  return {
    prefix,
    get values(): ReadonlyMap<string, string> {
      if (!rel) {
        rel = new Map();
        for (const key of relKeys()) rel.set(key, values.get(absolute(key)) as string);
      }
      return rel;
    },
    fullKey: (key) => joinKey(prefix, key),
    get: (key) => values.get(absolute(normalizeKey(key))),
    match: (pattern) => {
      // A copy each time: the caller may reorder what it gets.
      const known = matched.get(pattern);
      if (known) return known.slice();
      // Compiled first, so a malformed pattern fails even when no key exists.
      const re = globPattern(pattern);
      const head = literalHead(pattern);
      const out: KeyPair[] = [];
      // The prefix itself is the relative key "/", first in key order.
      if (selfValue !== undefined && re.test('/')) out.push((selfPair ??= new KeyPair('/', selfValue)));
      // Only keys that start with the pattern's literal head can match.
      const from = head.length > 1 && head.startsWith('/') ? absolute(head) : undefined;
      const start = from === undefined ? lo : lowerBound(keys, from, lo, hi);
      // "/dir/*" is the head and one name: no "/" after the head (the test the pattern's expression makes, without it).
      const oneName = from !== undefined && pattern.length === head.length + 1 && pattern.endsWith('*');
      for (let i = start; i < hi; i++) {
        const key = keys[i] as string;
        if (from !== undefined && !key.startsWith(from)) break;
        const relative = key.slice(cut);
        if (oneName ? relative.indexOf('/', head.length) >= 0 : !re.test(relative)) continue;
        let pair = pairs[i - lo];
        if (!pair) pairs[i - lo] = pair = new KeyPair(relative, values.get(key) as string);
        out.push(pair);
      }
      matched.set(pattern, out);
      return out.slice();
    },
    list: (dir) => childNames(relKeys(), dir, false),
    listDirs: (dir) => childNames(relKeys(), dir, true),
  };
};

const buildView = (values: ReadonlyMap<string, string>, rawPrefix: string): KeyView => {
  const prefix = normalizeKey(rawPrefix);
  const index = indexOf(values);
  return index ? buildRangeView(values, prefix, index.keys) : buildCopiedView(values, prefix);
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
