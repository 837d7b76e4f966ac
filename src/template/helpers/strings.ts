// confd's string helpers: Go's strings and path functions under their confd names.
import { asInteger, asString, asStringList, expectArity } from '../args.js';
import { HelperError } from '../errors.js';
import { goBase, goDir } from '../go-path.js';
import type { HelperTable } from '../state.js';
import { pure } from './pure.js';

/** Go's strings.Replace: at most n replacements, all when n < 0. */
export const goReplace = (s: string, old: string, rep: string, n: number): string => {
  if (old === rep || n === 0) return s;
  if (old === '') {
    // An empty old matches before every character and at the end.
    const chars = Array.from(s);
    const limit = n < 0 ? chars.length + 1 : n;
    const body = chars.map((ch, i) => (i < limit ? rep + ch : ch)).join('');
    return chars.length < limit ? body + rep : body;
  }
  let out = '';
  let start = 0;
  for (let count = 0; n < 0 || count < n; count++) {
    const at = s.indexOf(old, start);
    if (at < 0) break;
    out += s.slice(start, at) + rep;
    start = at + old.length;
  }
  return out + s.slice(start);
};

/** Go's strings.Split: an empty separator splits into characters. */
export const goSplit = (s: string, sep: string): string[] => (sep === '' ? Array.from(s) : s.split(sep));

const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const unary = (fn: (s: string) => string, usage = 'STRING'): HelperTable[string] =>
  pure((_scope, args) => {
    expectArity(args, 1, 1, usage);
    return fn(asString(args[0], usage));
  });

const binary =
  (fn: (a: string, b: string) => unknown, usageA: string, usageB: string): HelperTable[string] =>
  (_scope, args) => {
    expectArity(args, 2, 2, `${usageA} ${usageB}`);
    return fn(asString(args[0], usageA), asString(args[1], usageB));
  };

export const stringHelpers: HelperTable = {
  base: unary(goBase, 'PATH'),
  dir: unary(goDir, 'PATH'),
  toUpper: unary((s) => s.toUpperCase()),
  toLower: unary((s) => s.toLowerCase()),
  split: binary(goSplit, 'STRING', 'SEP'),
  contains: binary((s, sub) => s.includes(sub), 'STRING', 'SUBSTR'),
  trimSuffix: binary((s, suffix) => (suffix !== '' && s.endsWith(suffix) ? s.slice(0, -suffix.length) : s), 'STRING', 'SUFFIX'),
  join: (_scope, args) => {
    expectArity(args, 2, 2, 'LIST SEP');
    return asStringList(args[0], 'LIST').join(asString(args[1], 'SEP'));
  },
  replace: (_scope, args) => {
    expectArity(args, 3, 4, 'STRING OLD NEW [N]');
    const n = args.length > 3 ? asInteger(args[3], 'N') : -1;
    return goReplace(asString(args[0], 'STRING'), asString(args[1], 'OLD'), asString(args[2], 'NEW'), n);
  },
  base64Encode: unary((s) => Buffer.from(s, 'utf8').toString('base64')),
  base64Decode: unary((s) => {
    // Go's decoder skips line breaks and insists on padding.
    const compact = s.replace(/[\r\n]/g, '');
    if (!STD_BASE64.test(compact)) throw new HelperError(`illegal base64 data in ${JSON.stringify(s.slice(0, 40))}`);
    return Buffer.from(compact, 'base64').toString('utf8');
  }),
};
