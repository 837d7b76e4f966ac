// Argument checks shared by the helpers; the messages say what was expected
// and what came, because template authors only see the message.
import { HelperError } from './errors.js';

const describe = (value: unknown): string => {
  if (value === undefined) return 'undefined (a missing variable?)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
};

/** Throws unless min ≤ args.length ≤ max; usage reads like "KEY [DEFAULT]". */
export const expectArity = (args: readonly unknown[], min: number, max: number, usage: string): void => {
  if (args.length < min || args.length > max) {
    throw new HelperError(`expects ${usage}, got ${args.length} argument${args.length === 1 ? '' : 's'}`);
  }
};

/** Strings pass; numbers and booleans become strings; anything else is an error. */
export const asString = (value: unknown, what: string): string => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new HelperError(`${what} must be a string, got ${describe(value)}`);
};

const INTEGER = /^[+-]?[0-9]+$/;

/** A safe integer, from a number or a decimal string (as strconv.Atoi reads it). */
export const asInteger = (value: unknown, what: string): number => {
  const n = typeof value === 'number' ? value : typeof value === 'string' && INTEGER.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new HelperError(`${what} must be an integer, got ${describe(value)}`);
  return n;
};

export const asList = (value: unknown, what: string): unknown[] => {
  if (Array.isArray(value)) return value;
  throw new HelperError(`${what} must be a list, got ${describe(value)}`);
};

export const asStringList = (value: unknown, what: string): string[] =>
  asList(value, what).map((item, i) => asString(item, `${what}[${i}]`));
