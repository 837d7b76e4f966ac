// Helpers whose result is a string made from their arguments alone: no key,
// service or DNS read, no `this`, no block, nothing remembered between calls,
// and a hash only when the call has one. Loop bodies (../loop-bodies.ts) may call
// these without Handlebars' runtime; marked where they are defined, so a
// helper of the same name defined later is never taken for one.
import type { Helper, HelperScope } from '../state.js';

export type PureHelper = (scope: HelperScope, args: unknown[]) => string;

const marked = new WeakSet<Helper>();

/** Marks `helper` as pure (see above) and returns it. */
export const pure = (helper: PureHelper): Helper => {
  marked.add(helper);
  return helper;
};

export const asPure = (helper: Helper | undefined): PureHelper | undefined =>
  helper !== undefined && marked.has(helper) ? (helper as PureHelper) : undefined;
