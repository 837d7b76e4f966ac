// #each over an array, as Handlebars' own helper runs it (the same @key,
// @index, @first and @last, the same block params, holes skipped, the
// inverse for an empty array), with every iteration counted against the
// render's time and the loop's output against its size limit. One loop and
// one frame for the whole array, the pieces joined once at the end: the
// render of ten thousand keys spends its time in the body, not around it.
import type { RenderBudget } from './limits.js';

type Body = ((context: unknown, options: { data?: Record<string, unknown>; blockParams?: unknown[] }) => string) & { blockParams?: number };

export interface EachOptions {
  fn: Body;
  inverse: (context: unknown) => string;
  data?: Record<string, unknown>;
}

/** Handlebars' createFrame: a copy of the data whose _parent is the data itself. */
const frameOf = (data: Record<string, unknown>): Record<string, unknown> => ({ ...data, _parent: data });

/** `simple` renders an item without the compiled body when it can (loop-bodies.ts). */
export const eachOfArray = (self: unknown, items: readonly unknown[], options: EachOptions, budget: RenderBudget, simple?: (item: unknown) => string | undefined): string => {
  const body = options.fn;
  const data = options.data ? frameOf(options.data) : undefined;
  // Block params (`as |item i|`) only when the block declares them; their ids are Handlebars' (NaN without trackIds).
  const withParams = (body.blockParams ?? 0) > 0;
  const parts: string[] = [];
  let total = 0;
  const last = items.length - 1;
  for (let i = 0; i <= last; i++) {
    if (!(i in items)) continue;
    budget.step();
    const value = items[i];
    let text = simple?.(value);
    if (text === undefined) {
      if (data) {
        data['key'] = i;
        data['index'] = i;
        data['first'] = i === 0;
        data['last'] = i === last;
      }
      let params: unknown[] | undefined;
      if (withParams) {
        params = [value, i];
        (params as unknown[] & { path?: unknown[] }).path = [Number.NaN, null];
      }
      // As Handlebars' `ret + fn(...)`: a body of one mustache returns its value as it is.
      text = '' + body(value, { data, blockParams: params });
    }
    total += text.length;
    budget.checkOutput(total, "the loop's output");
    parts.push(text);
  }
  // Handlebars runs the inverse only for an empty array, not for one of holes alone.
  return items.length === 0 ? options.inverse(self) : parts.join('');
};
