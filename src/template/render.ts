// The render. Helpers are synchronous, so answers that need I/O
// (DNS, catalog services) are gathered in passes: render, resolve what the
// pass asked for and did not get, render again — a bounded number of times.
import type { ServiceInstance } from '../backends/backend.js';
import type { Resolvers } from './dns.js';
import { resolveLookup, systemResolvers } from './dns.js';
import { TemplateRenderError } from './errors.js';
import { passOf, publicResult } from './pass.js';
import { emptyAnswers } from './state.js';
import type { CompiledTemplate, RenderContext, RenderResult } from './types.js';

/** Enough for a service whose addresses are looked up, with room to spare. */
export const DEFAULT_MAX_PASSES = 5;

export interface RenderOptions {
  /** Stop after this many passes with an error. */
  maxPasses?: number;
  /** DNS answers; the system resolver by default. */
  resolvers?: Partial<Resolvers>;
}

/**
 * Renders with every DNS lookup answered and, when context.fetchService is
 * set, every service fetched. Without a fetcher, services the context cannot
 * answer come back in missingServices.
 * Throws TemplateRenderError; a fetcher's own error propagates unchanged.
 */
export const renderTemplate = async (
  template: CompiledTemplate,
  context: RenderContext,
  options: RenderOptions = {},
): Promise<RenderResult> => {
  const pass = passOf(template);
  const resolvers: Resolvers = { ...systemResolvers, ...options.resolvers };
  const maxPasses = options.maxPasses ?? DEFAULT_MAX_PASSES;
  const known = emptyAnswers();
  const fetchService = context.fetchService;
  for (let round = 1; ; round++) {
    const result = pass(context, known);
    const services = fetchService ? result.missingServices.filter((name) => !known.services.has(name)) : [];
    const lookups = result.missingLookups.filter((request) => !known.lookups.has(request.id));
    const fetchList = result.missingServiceList && context.fetchServiceList && !known.serviceList ? context.fetchServiceList : undefined;
    if (services.length === 0 && lookups.length === 0 && !fetchList) return publicResult(result);
    if (round >= maxPasses) {
      const waiting = [...services.map((s) => `service ${JSON.stringify(s)}`), ...lookups.map((l) => l.id), ...(fetchList ? ['the service list'] : [])];
      throw new TemplateRenderError(template.file, undefined, `still waiting for ${waiting.join(', ')} after ${maxPasses} render passes`);
    }
    await Promise.all([
      ...lookups.map(async (request) => {
        known.lookups.set(request.id, await resolveLookup(resolvers, request));
      }),
      ...services.map(async (name) => {
        const instances: ServiceInstance[] = (await fetchService?.(name)) ?? [];
        known.services.set(name, instances);
      }),
      ...(fetchList ? [fetchList().then((list) => void (known.serviceList = list))] : []),
    ]);
  }
};
