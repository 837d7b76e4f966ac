// confd's helpers that look outside the store: environment, clock, files.
import { statSync } from 'node:fs';
import { asString, expectArity } from '../args.js';
import { HelperError } from '../errors.js';
import { formatGoTime } from '../go-time.js';
import type { HelperTable } from '../state.js';

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Go's strconv.ParseBool. */
export const parseGoBool = (s: string): boolean => {
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  throw new HelperError(`parsing ${JSON.stringify(s.slice(0, 40))}: invalid syntax`);
};

export const systemHelpers: HelperTable = {
  getenv: (_scope, args) => {
    expectArity(args, 1, 2, 'NAME [DEFAULT]');
    const value = process.env[asString(args[0], 'NAME')];
    // As confd: an empty variable counts as unset.
    return value === undefined || value === '' ? (args.length > 1 ? asString(args[1], 'DEFAULT') : '') : value;
  },
  datetime: (_scope, args) => {
    expectArity(args, 0, 1, '[LAYOUT]');
    return formatGoTime(new Date(), args.length > 0 ? asString(args[0], 'LAYOUT') : undefined);
  },
  fileExists: (_scope, args) => {
    expectArity(args, 1, 1, 'PATH');
    try {
      statSync(asString(args[0], 'PATH'));
      return true;
    } catch {
      return false;
    }
  },
  parseBool: (_scope, args) => {
    expectArity(args, 1, 1, 'STRING');
    return parseGoBool(asString(args[0], 'STRING'));
  },
};
