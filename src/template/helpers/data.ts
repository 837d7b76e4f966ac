// confd's helpers that build or reorder structured data.
import { asList, asString, asStringList, expectArity } from '../args.js';
import { HelperError } from '../errors.js';
import type { HelperTable } from '../state.js';

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HelperError(`invalid JSON: ${(err as Error).message}`, undefined, { cause: err });
  }
};

const byLength = (a: string, b: string): number => a.length - b.length;

const keyOf = (item: unknown, i: number): string => {
  const key = typeof item === 'object' && item !== null ? (item as { key?: unknown }).key : undefined;
  return asString(key, `LIST[${i}].key`);
};

export const dataHelpers: HelperTable = {
  json: (_scope, args) => {
    expectArity(args, 1, 1, 'STRING');
    const value = parseJson(asString(args[0], 'STRING'));
    if (value === null) return {};
    if (typeof value !== 'object' || Array.isArray(value)) throw new HelperError('JSON value is not an object');
    return value;
  },
  jsonArray: (_scope, args) => {
    expectArity(args, 1, 1, 'STRING');
    const value = parseJson(asString(args[0], 'STRING'));
    if (value === null) return [];
    if (!Array.isArray(value)) throw new HelperError('JSON value is not an array');
    return value;
  },
  map: (_scope, args) => {
    if (args.length % 2 !== 0) throw new HelperError('expects KEY VALUE pairs, got an odd number of arguments');
    const entries: [string, unknown][] = [];
    for (let i = 0; i < args.length; i += 2) {
      if (typeof args[i] !== 'string') throw new HelperError('map keys must be strings');
      entries.push([args[i] as string, args[i + 1]]);
    }
    // fromEntries defines own properties, so "__proto__" is just a key.
    return Object.fromEntries(entries);
  },
  reverse: (_scope, args) => {
    expectArity(args, 1, 1, 'LIST');
    return [...asList(args[0], 'LIST')].reverse();
  },
  sortByLength: (_scope, args) => {
    expectArity(args, 1, 1, 'LIST');
    return asStringList(args[0], 'LIST').sort(byLength);
  },
  sortKVByLength: (_scope, args) => {
    expectArity(args, 1, 1, 'LIST');
    const list = asList(args[0], 'LIST');
    const keyed = list.map((item, i) => ({ item, key: keyOf(item, i) }));
    return keyed.sort((a, b) => byLength(a.key, b.key)).map((k) => k.item);
  },
};
