// Go text/template's built-in functions that Handlebars lacks, for templates
// converted by `switchyard migrate`: printf/print/println (Go's fmt), len,
// index, le, ge, orValue/andValue (Go's or/and, which return an operand, not
// a boolean), let (a variable, like Go's `$x := …`), and unconverted (a
// construct the converter could not translate: fails the render, naming it).
import { asString, expectArity } from '../args.js';
import { HelperError } from '../errors.js';
import { goSprint, goSprintf, goSprintln } from '../go-fmt.js';
import type { HelperTable } from '../state.js';
import { compare, isEmpty } from './logic.js';

const indexOne = (container: unknown, key: unknown): unknown => {
  if (Array.isArray(container) || typeof container === 'string') {
    const i = typeof key === 'number' ? key : typeof key === 'string' && /^[0-9]+$/.test(key) ? Number(key) : NaN;
    if (!Number.isInteger(i) || i < 0 || i >= container.length) throw new HelperError(`index out of range: ${String(key)}`);
    return typeof container === 'string' ? Buffer.from(container, 'utf8')[i] : container[i];
  }
  if (typeof container === 'object' && container !== null) {
    const k = asString(key, 'KEY');
    return Object.hasOwn(container, k) ? (container as Record<string, unknown>)[k] : undefined;
  }
  if (container === undefined || container === null) throw new HelperError('index of untyped nil');
  throw new HelperError(`can't index item of type ${typeof container}`);
};

export const goBuiltinHelpers: HelperTable = {
  printf: (_scope, args) => {
    expectArity(args, 1, Infinity, 'FORMAT [ARG...]');
    return goSprintf(asString(args[0], 'FORMAT'), args.slice(1));
  },
  print: (_scope, args) => goSprint(args),
  println: (_scope, args) => goSprintln(args),
  len: (_scope, args) => {
    expectArity(args, 1, 1, 'VALUE');
    const v = args[0];
    if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
    if (Array.isArray(v)) return v.length;
    if (typeof v === 'object' && v !== null) return Object.keys(v).length;
    throw new HelperError(`len of ${v === undefined || v === null ? 'nil' : typeof v}`);
  },
  index: ({ options }, args) => {
    // Handlebars resolves `{{@index}}` to a helper named index when there is one:
    // without arguments, inside a loop, it is the loop's @index.
    if (args.length === 0 && options.data && Object.hasOwn(options.data, 'index')) return options.data['index'];
    expectArity(args, 1, Infinity, 'COLLECTION [KEY...]');
    return args.slice(1).reduce((item, key) => indexOne(item, key), args[0]);
  },
  le: (_scope, args) => {
    expectArity(args, 2, 2, 'A B');
    return compare(args[0], args[1]) <= 0;
  },
  ge: (_scope, args) => {
    expectArity(args, 2, 2, 'A B');
    return compare(args[0], args[1]) >= 0;
  },
  orValue: (_scope, args) => {
    expectArity(args, 1, Infinity, 'A B ...');
    return args.find((a) => !isEmpty(a)) ?? args.at(-1);
  },
  andValue: (_scope, args) => {
    expectArity(args, 1, Infinity, 'A B ...');
    return args.find((a) => isEmpty(a)) ?? args.at(-1);
  },
  let: ({ options }, args) => {
    expectArity(args, 1, 1, 'VALUE');
    if (typeof options.fn !== 'function') throw new HelperError('is a block helper: {{#let VALUE as |name|}}…{{/let}}');
    return options.fn(args[0], { data: options.data, blockParams: [args[0]] });
  },
  unconverted: (_scope, args) => {
    expectArity(args, 1, 1, 'DESCRIPTION');
    throw new HelperError(`not converted from the original template: ${asString(args[0], 'DESCRIPTION')}`);
  },
};
