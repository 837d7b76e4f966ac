// confd's integer helpers. Go ints: division truncates, dividing by zero fails.
import { asInteger, asString, expectArity } from '../args.js';
import { HelperError } from '../errors.js';
import type { HelperTable } from '../state.js';

/** seq stops here: a template should not be able to exhaust memory. */
export const SEQ_LIMIT = 100_000;

const ATOI = /^[+-]?[0-9]+$/;

const arithmetic =
  (fn: (a: number, b: number) => number): HelperTable[string] =>
  (_scope, args) => {
    expectArity(args, 2, 2, 'A B');
    const result = fn(asInteger(args[0], 'A'), asInteger(args[1], 'B'));
    if (!Number.isSafeInteger(result)) throw new HelperError(`result ${result} is out of the integer range`);
    return result;
  };

const divisor = (b: number): number => {
  if (b === 0) throw new HelperError('integer divide by zero');
  return b;
};

export const mathHelpers: HelperTable = {
  atoi: (_scope, args) => {
    expectArity(args, 1, 1, 'STRING');
    const s = asString(args[0], 'STRING');
    const n = Number(s);
    if (!ATOI.test(s) || !Number.isSafeInteger(n)) throw new HelperError(`parsing ${JSON.stringify(s.slice(0, 40))}: invalid syntax`);
    return n;
  },
  add: arithmetic((a, b) => a + b),
  sub: arithmetic((a, b) => a - b),
  mul: arithmetic((a, b) => a * b),
  div: arithmetic((a, b) => Math.trunc(a / divisor(b))),
  mod: arithmetic((a, b) => a % divisor(b) || 0),
  seq: (_scope, args) => {
    expectArity(args, 2, 2, 'FIRST LAST');
    const first = asInteger(args[0], 'FIRST');
    const last = asInteger(args[1], 'LAST');
    if (last - first + 1 > SEQ_LIMIT) throw new HelperError(`would hold more than ${SEQ_LIMIT} numbers`);
    return last < first ? [] : Array.from({ length: last - first + 1 }, (_, i) => first + i);
  },
};
