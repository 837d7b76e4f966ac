// confd's key helpers. Keys are relative to the resource prefix; the pairs
// returned carry the relative key, as confd's do.
import { isKeyUnder, normalizeKey } from '../../backends/keys.js';
import { asString, expectArity } from '../args.js';
import { HelperError } from '../errors.js';
import { BadPatternError } from '../glob.js';
import { KeyPair } from '../key-view.js';
import type { HelperScope, HelperTable } from '../state.js';
import type { RenderContext } from '../types.js';

/** The value of a key, or an error naming the key as written and in full. */
export const requireValue = ({ state }: HelperScope, key: string, fallback?: string): string => {
  const value = state.view.get(key);
  if (value !== undefined) return value;
  if (fallback !== undefined) return fallback;
  throw new HelperError(missingKeyMessage(state.view.fullKey(key), key, state.view.prefix, state.context), key);
};

/** Where a missing key was looked for, and where it is instead, if anywhere. */
export const missingKeyMessage = (full: string, key: string, prefix: string, context: RenderContext): string => {
  let message = `key ${JSON.stringify(key)} (${full}) not found ${prefix === '/' ? 'with no prefix' : `under the prefix ${prefix}`}`;
  const keys = context.keys;
  if (keys && !keys.some((path) => isKeyUnder(full, path))) {
    return `${message}; ${full} is outside the resource's keys (${keys.join(', ')}), so it is never fetched: add it to keys`;
  }
  const relative = normalizeKey(key);
  const elsewhere = [...context.values.keys()].filter((k) => k !== full && (k === relative || k.endsWith(relative))).sort();
  if (elsewhere.length > 0) message += `; it exists as ${elsewhere.slice(0, 3).join(', ')}${elsewhere.length > 3 ? ', …' : ''}: is the prefix right?`;
  return message;
};

/** Pairs matching a pattern; a malformed pattern is an error naming it. */
export const matchPairs = ({ state }: HelperScope, pattern: string): KeyPair[] => {
  try {
    return state.view.match(pattern);
  } catch (err) {
    if (err instanceof BadPatternError) throw new HelperError(err.message, pattern, { cause: err });
    throw err;
  }
};

export const kvHelpers: HelperTable = {
  getv: (scope, args) => {
    expectArity(args, 1, 2, 'KEY [DEFAULT]');
    const key = asString(args[0], 'KEY');
    return requireValue(scope, key, args.length > 1 ? asString(args[1], 'DEFAULT') : undefined);
  },
  get: (scope, args) => {
    expectArity(args, 1, 1, 'KEY');
    const key = asString(args[0], 'KEY');
    const value = requireValue(scope, key);
    return new KeyPair(normalizeKey(key), value);
  },
  gets: (scope, args) => {
    expectArity(args, 1, 1, 'PATTERN');
    // confd templates say .Key and .Value: KeyPair has both names.
    return matchPairs(scope, asString(args[0], 'PATTERN'));
  },
  getvs: (scope, args) => {
    expectArity(args, 1, 1, 'PATTERN');
    // confd sorts the values themselves, not by key.
    return matchPairs(scope, asString(args[0], 'PATTERN'))
      .map((p) => p.value)
      .sort();
  },
  ls: ({ state }, args) => {
    expectArity(args, 1, 1, 'DIR');
    return state.view.list(asString(args[0], 'DIR'));
  },
  lsdir: ({ state }, args) => {
    expectArity(args, 1, 1, 'DIR');
    return state.view.listDirs(asString(args[0], 'DIR'));
  },
  exists: ({ state }, args) => {
    expectArity(args, 1, 1, 'KEY');
    return state.view.get(asString(args[0], 'KEY')) !== undefined;
  },
};
