// Comparison and logic. Each works as a subexpression, `{{#if (eq a b)}}`,
// and as a block of its own, `{{#eq a b}}…{{else}}…{{/eq}}`.
import { expectArity } from '../args.js';
import type { Helper, HelperTable } from '../state.js';

/** Handlebars' idea of "empty": what {{#if}} treats as false. */
export const isEmpty = (value: unknown): boolean =>
  value === undefined || value === null || value === false || value === '' || value === 0 || (Array.isArray(value) && value.length === 0);

// Store values are strings and literals may be numbers: "3" equals 3.
const sameValue = (a: unknown, b: unknown): boolean => {
  const scalar = (v: unknown): boolean => ['string', 'number', 'boolean'].includes(typeof v);
  return a === b || (scalar(a) && scalar(b) && typeof a !== typeof b && String(a) === String(b));
};

const NUMBER = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const numeric = (v: unknown): number | undefined =>
  typeof v === 'number' ? v : typeof v === 'string' && NUMBER.test(v.trim()) ? Number(v) : undefined;

// Numbers (or numeric strings) compare as numbers, anything else as strings.
export const compare = (a: unknown, b: unknown): number => {
  const x = numeric(a);
  const y = numeric(b);
  if (x !== undefined && y !== undefined) return x - y;
  const s = String(a);
  const t = String(b);
  return s < t ? -1 : s > t ? 1 : 0;
};

const blockable =
  (test: (args: unknown[]) => boolean): Helper =>
  ({ options, self }, args) => {
    const result = test(args);
    if (typeof options.fn !== 'function') return result;
    return result ? options.fn(self) : (options.inverse?.(self) ?? '');
  };

const pairwise = (fn: (a: unknown, b: unknown) => boolean): Helper =>
  blockable((args) => {
    expectArity(args, 2, 2, 'A B');
    return fn(args[0], args[1]);
  });

export const logicHelpers: HelperTable = {
  eq: pairwise(sameValue),
  ne: pairwise((a, b) => !sameValue(a, b)),
  lt: pairwise((a, b) => compare(a, b) < 0),
  gt: pairwise((a, b) => compare(a, b) > 0),
  and: blockable((args) => {
    expectArity(args, 1, Infinity, 'A B ...');
    return args.every((a) => !isEmpty(a));
  }),
  or: blockable((args) => {
    expectArity(args, 1, Infinity, 'A B ...');
    return args.some((a) => !isEmpty(a));
  }),
  not: blockable((args) => {
    expectArity(args, 1, 1, 'A');
    return isEmpty(args[0]);
  }),
  default: (_scope, args) => {
    expectArity(args, 2, 2, 'VALUE FALLBACK');
    return isEmpty(args[0]) && args[0] !== 0 && args[0] !== false ? args[1] : args[0];
  },
};
