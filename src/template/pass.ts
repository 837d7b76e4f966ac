// One synchronous pass of a render: run the compiled template with a fresh
// state and report what it asked for and could not get.
import { messageOf } from '../errors.js';
import type { PositionMap } from './close-braces.js';
import { STATE_KEY } from './environment.js';
import { TemplateRenderError } from './errors.js';
import type { KnownAnswers, LookupRequest } from './state.js';
import { createRenderState } from './state.js';
import { KEY_PAIR_FIELDS } from './key-view.js';
import type { LoopBodies } from './state.js';
import type { CompiledTemplate, RenderContext, RenderResult } from './types.js';

export interface PassResult extends RenderResult {
  missingLookups: LookupRequest[];
  missingServiceList: boolean;
}

export type RenderPass = (context: RenderContext, known: KnownAnswers) => PassResult;

type TemplateFn = (context: unknown, options: { data: Record<string, unknown>; allowedProtoProperties?: Readonly<Record<string, boolean>> }) => string;

/** Handlebars' own runtime errors carry a 1-based line and 0-based column. */
const wrapRuntimeError = (err: unknown, file: string, positions: PositionMap): TemplateRenderError => {
  if (err instanceof TemplateRenderError) return err;
  const { lineNumber, column } = (err ?? {}) as { lineNumber?: unknown; column?: unknown };
  const position =
    typeof lineNumber === 'number' && typeof column === 'number' ? positions.original({ line: lineNumber, column: column + 1 }) : undefined;
  const detail = messageOf(err).replace(/ - \d+:\d+$/, '');
  return new TemplateRenderError(file, undefined, detail, { position, cause: err });
};

/** `generated` gives the template's function, generating it on first use (outside the render's time budget). */
export const createPass =
  (file: string, generated: () => TemplateFn, positions: PositionMap, loopBodies?: LoopBodies): RenderPass =>
  (context, known) => {
    const fn = generated();
    let state: ReturnType<typeof createRenderState>;
    let text: string;
    try {
      state = createRenderState(file, context, known, positions, loopBodies);
      text = fn({}, { data: { [STATE_KEY]: state }, allowedProtoProperties: KEY_PAIR_FIELDS });
      state.budget.checkOutput(text.length, 'the rendered text');
    } catch (err) {
      throw wrapRuntimeError(err, file, positions);
    }
    return {
      text,
      services: [...state.services].sort(),
      missingServices: [...state.missingServices].sort(),
      missingLookups: [...state.missingLookups.values()],
      missingServiceList: state.serviceList.missing,
      ...(state.serviceList.asked ? { serviceList: true as const } : {}),
    };
  };

const passes = new WeakMap<CompiledTemplate, RenderPass>();

export const registerPass = (template: CompiledTemplate, pass: RenderPass): void => {
  passes.set(template, pass);
};

export const passOf = (template: CompiledTemplate): RenderPass => {
  const pass = passes.get(template);
  if (!pass) throw new TypeError(`${template.file}: not a template compiled by compileTemplateSource/compileTemplateFile`);
  return pass;
};

/** Drops the engine's bookkeeping from a pass result. */
export const publicResult = ({ text, services, missingServices, serviceList }: PassResult): RenderResult =>
  serviceList ? { text, services, missingServices, serviceList } : { text, services, missingServices };
