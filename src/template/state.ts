// What a helper sees while one pass of a render runs: the file, the context,
// the keys relative to the prefix, and what the pass asked for but did not get.
import type { CatalogService, ServiceInstance } from '../backends/backend.js';
import type { RenderContext } from './types.js';
import type { PositionMap } from './close-braces.js';
import type { KeyView } from './key-view.js';
import { keyViewOf } from './key-view.js';
import { createBudget, DEFAULT_RENDER_LIMITS, type RenderBudget } from './limits.js';

/** Renders one item of a loop, or undefined when that item needs the compiled body. */
export type ItemRenderer = (item: unknown) => string | undefined;

/** A loop body: made once per run of its loop, for that render. */
export type LoopBody = (state: RenderState) => ItemRenderer;

/** Loop bodies by the `line:column` of their #each (in the parsed text, as Handlebars reports it to the helper). */
export type LoopBodies = ReadonlyMap<string, LoopBody>;

/** A DNS question a helper asked; `id` identifies it across passes. */
export type LookupRequest =
  | { id: string; kind: 'ip'; name: string }
  | { id: string; kind: 'srv'; service: string; proto: string; name: string };

/** Answers gathered by earlier passes of one asynchronous render. */
export interface KnownAnswers {
  lookups: Map<string, unknown>;
  services: Map<string, ServiceInstance[]>;
  /** The catalog's service list, once fetched. */
  serviceList?: CatalogService[];
}

export interface RenderState {
  readonly file: string;
  readonly context: RenderContext;
  readonly view: KeyView;
  /** Positions in the parsed text → positions in the template file. */
  readonly positions: PositionMap;
  readonly known: KnownAnswers;
  /** Every service name asked for. */
  readonly services: Set<string>;
  /** Service names nobody could answer yet. */
  readonly missingServices: Set<string>;
  /** Whether the service list was asked for, and whether nobody could answer it yet. */
  readonly serviceList: { asked: boolean; missing: boolean };
  /** DNS questions not answered yet, by id. */
  readonly missingLookups: Map<string, LookupRequest>;
  /** Time and output this pass may still use. */
  readonly budget: RenderBudget;
  /** The template's #each bodies that render an item without Handlebars' runtime. */
  readonly loopBodies: LoopBodies;
}

export const emptyAnswers = (): KnownAnswers => ({ lookups: new Map(), services: new Map() });

export const createRenderState = (
  file: string,
  context: RenderContext,
  known: KnownAnswers,
  positions: PositionMap,
  loopBodies: LoopBodies = new Map(),
): RenderState => ({
  file,
  context,
  view: keyViewOf(context.values, context.prefix),
  positions,
  known,
  services: new Set(),
  missingServices: new Set(),
  serviceList: { asked: false, missing: false },
  missingLookups: new Map(),
  budget: createBudget({ ...DEFAULT_RENDER_LIMITS, ...context.limits }),
  loopBodies,
});

/** The part of Handlebars' helper options switchyard uses. */
export interface HelperOptions {
  name: string;
  hash: Record<string, unknown>;
  data?: Record<string, unknown>;
  loc?: { start: { line: number; column: number } };
  fn?: (context: unknown, options?: { data?: Record<string, unknown>; blockParams?: unknown[] }) => string;
  inverse?: (context: unknown) => string;
}

export interface HelperScope {
  readonly state: RenderState;
  readonly options: HelperOptions;
  /** The template's `this` at the call site. */
  readonly self: unknown;
}

/** A helper gets its arguments without Handlebars' trailing options object. */
export type Helper = (scope: HelperScope, args: unknown[]) => unknown;
export type HelperTable = Readonly<Record<string, Helper>>;
