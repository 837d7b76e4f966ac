// What the rest of switchyard sees of the template engine.
import type { CatalogService, ServiceInstance } from '../backends/backend.js';
import type { RenderLimits } from './limits.js';
import type { TemplatePosition } from './errors.js';

export interface RenderContext {
  /** The snapshot: absolute key → value. */
  values: ReadonlyMap<string, string>;
  /** The resource's full prefix; helper keys are relative to it. */
  prefix: string;
  /**
   * The absolute key paths the resource fetches (its `keys` under its
   * prefix), when known: a missing key outside them is reported as such.
   */
  keys?: readonly string[];
  /**
   * Healthy instances of a catalog service, or undefined when they have not
   * been fetched yet (the render then records the name in
   * RenderResult.services so the caller can fetch it and render again).
   */
  service?: (name: string) => ServiceInstance[] | undefined;
  /**
   * Fetches the healthy instances of a service the context could not answer;
   * renderTemplate calls it and renders again. Optional: without it the
   * unanswered names come back in RenderResult.missingServices.
   */
  fetchService?: (name: string) => Promise<ServiceInstance[]>;
  /** Fetches the catalog's service list for `consulServices`; renderTemplate calls it and renders again. */
  fetchServiceList?: () => Promise<CatalogService[]>;
  /** Time and output limits of one pass; DEFAULT_RENDER_LIMITS fills the gaps. */
  limits?: Partial<RenderLimits>;
}

export interface RenderResult {
  text: string;
  /** Every service name the template asked for during this render. */
  services: string[];
  /** Service names asked for that the context could not answer. */
  missingServices: string[];
  /** The template asked for the catalog's service list. */
  serviceList?: true;
}

/** A compiled template; `renderTemplate` renders it. */
export interface CompiledTemplate {
  /** Absolute path of the template file. */
  readonly file: string;
  /** Names read from the empty top-level context: they always render as nothing. */
  readonly unknownNames: readonly UnknownName[];
  /** Keys and services named by literal arguments, for resources without `keys`. */
  readonly inferred: InferredKeys;
}

/** A name read from the empty top-level context: it always renders as nothing. */
export interface UnknownName extends TemplatePosition {
  name: string;
}

export interface InferredKeys {
  /** Key paths, relative to the resource prefix, sorted. */
  keys: string[];
  /** Catalog services named literally. */
  services: string[];
  /** The catalog's service list is read (`consulServices`). */
  serviceList?: true;
  /** The first key helper called with a computed argument. */
  dynamic?: { helper: string; position?: TemplatePosition };
}
