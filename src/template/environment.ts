// The isolated Handlebars environment: switchyard's helpers, each wrapped so
// it gets its arguments without Handlebars' options object and so a failure
// becomes a TemplateRenderError naming file, line, column and helper.
import * as handlebarsModule from 'handlebars';
import { allHelpers } from './helpers/index.js';
import { callHelper } from './helper-call.js';
import { eachOfArray, type EachOptions } from './each-array.js';
import { loopBodyKey } from './loop-bodies.js';
import type { Helper, HelperOptions, RenderState } from './state.js';

/** Where the render state travels: Handlebars' @data, which reaches every helper. */
export const STATE_KEY = '__switchyard';

// `{{port}}` calls the helper named port even inside `{{#each (service "web")}}`:
// without arguments, a field of that name on the current object wins.
const ownField = (self: unknown, name: string, args: unknown[], options: HelperOptions): { value: unknown } | undefined => {
  if (args.length > 0 || Object.keys(options.hash).length > 0 || options.fn) return undefined;
  if (typeof self !== 'object' || self === null || !Object.hasOwn(self, name)) return undefined;
  return { value: (self as Record<string, unknown>)[name] };
};

const wrap = (name: string, helper: Helper) =>
  function (this: unknown, ...raw: unknown[]): unknown {
    const options = raw.pop() as HelperOptions;
    const field = ownField(this, name, raw, options);
    if (field) return field.value;
    const state = options.data?.[STATE_KEY] as RenderState | undefined;
    if (!state) throw new Error(`${name}: called outside a switchyard render`);
    return callHelper(name, helper, { state, options, self: this }, raw);
  };

// handlebars is CommonJS: Node (and the bundle) give its module.exports as the
// default export. A static import, so the bundler includes it.
const Handlebars = (handlebarsModule as { default?: typeof handlebarsModule }).default ?? handlebarsModule;

export const handlebars = Handlebars.create();
for (const [name, helper] of Object.entries(allHelpers)) handlebars.registerHelper(name, wrap(name, helper));

type BlockFn = ((context: unknown, options?: unknown) => string) & Record<string, unknown>;

// Handlebars' own #each, with every iteration counted against the render's
// time and the loop's accumulated output against its size limit.
const builtinEach = handlebars.helpers['each'] as (this: unknown, ...args: unknown[]) => string;
handlebars.registerHelper(
  'each',
  wrap('each', ({ state, options, self }, args) => {
    const body = options.fn as BlockFn | undefined;
    if (!body) return builtinEach.call(self, ...args, options);
    const [items] = args;
    if (args.length === 1 && Array.isArray(items) && !(options as { ids?: unknown }).ids) {
      const simple = options.loc ? state.loopBodies.get(loopBodyKey(options.loc)) : undefined;
      return eachOfArray(self, items, options as unknown as EachOptions, state.budget, simple?.(state));
    }
    let total = 0;
    const counted = Object.assign((context: unknown, frame?: unknown): string => {
      state.budget.step();
      const text = body(context, frame);
      total += text.length;
      state.budget.checkOutput(total, 'the loop\'s output');
      return text;
    }, body);
    return builtinEach.call(self, ...args, { ...options, fn: counted });
  }),
);

/** Helper names Handlebars itself provides. */
const BUILTIN_HELPERS = ['if', 'unless', 'each', 'with', 'lookup', 'log'];

export const knownHelper = (name: string): boolean => name in allHelpers || BUILTIN_HELPERS.includes(name);
