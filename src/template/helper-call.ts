// One call of a switchyard helper: counted against the render's budget, its
// result against the output limit, and a failure turned into a
// TemplateRenderError naming the file, line, column and helper. Handlebars'
// wrapped helpers (environment.ts) and loop bodies (loop-bodies.ts) both call
// helpers through here, so a call fails the same way whichever path made it.
import { messageOf } from '../errors.js';
import { HelperError, TemplateRenderError } from './errors.js';
import type { TemplatePosition } from './errors.js';
import type { Helper, HelperOptions, HelperScope, RenderState } from './state.js';

const positionOf = (options: HelperOptions, state: RenderState): TemplatePosition | undefined =>
  options.loc ? state.positions.original({ line: options.loc.start.line, column: options.loc.start.column + 1 }) : undefined;

const failure = (err: unknown, state: RenderState, name: string, options: HelperOptions): TemplateRenderError => {
  if (err instanceof TemplateRenderError) return err;
  const position = positionOf(options, state);
  if (err instanceof HelperError) {
    return new TemplateRenderError(state.file, err.key, `${name}: ${err.detail}`, { position, cause: err.cause ?? err });
  }
  return new TemplateRenderError(state.file, undefined, `${name}: ${messageOf(err)}`, { position, cause: err });
};

/** Runs `helper` as the template's `name`; `scope.self` is the template's `this`. */
export const callHelper = (name: string, helper: Helper, scope: HelperScope, args: unknown[]): unknown => {
  const { state } = scope;
  try {
    state.budget.step();
    const result = helper(scope, args);
    if (typeof result === 'string') state.budget.checkOutput(result.length, 'its result');
    return result;
  } catch (err) {
    throw failure(err, state, name, scope.options);
  }
};
