// One round of the pipeline: one snapshot for every resource in the round,
// then render → apply for each resource in turn. A failure of one resource
// never stops the others.
import { hasCatalog, type Backend, type CatalogService, type ServiceInstance } from '../backends/backend.js';
import type { TemplateResource } from '../config/resource.js';
import { messageOf, ResourceError } from '../errors.js';
import type { Logger } from '../log.js';
import type { HistoryRecorder, RenderRecord } from '../history/recorder.js';
import { applyResource, type PipelineOptions, type PipelineResult } from '../resource/pipeline.js';
import { renderTemplate } from '../template/engine.js';
import type { CompiledTemplate } from '../template/types.js';

export interface RoundInput {
  backend: Backend;
  resources: TemplateResource[];
  templates: Map<string, CompiledTemplate>;
  pipeline: Omit<PipelineOptions, 'logger'> & { history?: HistoryRecorder };
  logger: Logger;
  /** Asked between resources; true stops the round early (SIGTERM). */
  stopping?: () => boolean;
  /** Told how many keys the round's snapshot holds. */
  onSnapshot?: (keys: number) => void;
}

/**
 * revision: the store revision (etcd) or index (Consul) the round rendered from;
 * serviceList: the render read the catalog's service list.
 */
export type ResourceOutcome = (
  | { resource: TemplateResource; ok: true; result: PipelineResult; services: string[] }
  | { resource: TemplateResource; ok: false; error: ResourceError; services: string[] }
) & { revision?: string; serviceList?: true };

/** The round's catalog reads, each fetched once and shared by every resource. */
interface CatalogFetchers {
  fetchService: (name: string) => Promise<ServiceInstance[]>;
  fetchServiceList: () => Promise<CatalogService[]>;
}

const unique = (items: string[]): string[] => [...new Set(items)];

// Keys already named in a warning: once per key for the life of the process.
const warnedInvalid = new Set<string>();

export const processRound = async (input: RoundInput): Promise<ResourceOutcome[]> => {
  const { backend, resources, logger } = input;
  const outcomes: ResourceOutcome[] = [];
  if (resources.length === 0) return outcomes;

  let snapshot;
  try {
    snapshot = await backend.getValues(unique(resources.flatMap((r) => r.paths)));
  } catch (err) {
    // One unreachable store fails every resource of the round, each named.
    return resources.map((resource) => ({
      resource,
      ok: false as const,
      error: new ResourceError(resource.name, 'fetch', messageOf(err), { cause: err }),
      services: [],
    }));
  }
  logger.debug('snapshot', { keys: snapshot.values.size, revision: snapshot.revision });
  input.onSnapshot?.(snapshot.values.size);
  for (const key of snapshot.invalidUtf8 ?? []) {
    if (warnedInvalid.has(key)) continue;
    warnedInvalid.add(key);
    logger.warn('value is not valid UTF-8; its bad bytes render as U+FFFD', { key });
  }

  // Services asked for in this round are fetched once and shared.
  const serviceCache = new Map<string, Promise<ServiceInstance[]>>();
  const fetchService = (name: string): Promise<ServiceInstance[]> => {
    let p = serviceCache.get(name);
    if (!p) {
      p = hasCatalog(backend)
        ? backend.services(name)
        : Promise.reject(new Error(`the ${backend.name} backend has no service catalog (service "${name}")`));
      serviceCache.set(name, p);
    }
    return p;
  };
  let serviceList: Promise<CatalogService[]> | undefined;
  const fetchServiceList = (): Promise<CatalogService[]> =>
    (serviceList ??= hasCatalog(backend)
      ? backend.serviceList()
      : Promise.reject(new Error(`the ${backend.name} backend has no service catalog (the service list)`)));
  const catalog: CatalogFetchers = { fetchService, fetchServiceList };

  for (const resource of resources) {
    if (input.stopping?.()) break;
    const outcome = await processOne(input, resource, snapshot.values, catalog, snapshot.revision);
    outcomes.push(snapshot.revision !== undefined ? { ...outcome, revision: snapshot.revision } : outcome);
  }
  return outcomes;
};

const processOne = async (
  input: RoundInput,
  resource: TemplateResource,
  values: ReadonlyMap<string, string>,
  catalog: CatalogFetchers,
  revision: string | undefined,
): Promise<ResourceOutcome> => {
  const log = input.logger.child({ resource: resource.name });
  const template = input.templates.get(resource.name);
  if (!template) {
    const error = new ResourceError(resource.name, 'render', `no compiled template for ${resource.src}`);
    return { resource, ok: false, error, services: [] };
  }
  const { history, settle } = input.pipeline;
  // The entry waits for the disk (its own fsync): with a settler, after the round.
  const keep = async (entry: Omit<RenderRecord, 'resource' | 'revision'>): Promise<void> => {
    if (!history) return;
    const record = (): Promise<void> => history.record({ resource, revision, ...entry });
    if (settle) settle.defer(record);
    else await record();
  };
  let rendered;
  try {
    rendered = await renderTemplate(template, { values, prefix: resource.prefix, keys: resource.paths, ...catalog, limits: input.pipeline.renderLimits });
  } catch (err) {
    const error = new ResourceError(resource.name, 'render', messageOf(err), { cause: err });
    await keep({ result: 'failed', stage: 'render', error: error.detail });
    return { resource, ok: false, error, services: [] };
  }
  const listed = rendered.serviceList ? { serviceList: true as const } : {};
  try {
    const result = await applyResource(resource, rendered.text, { ...input.pipeline, logger: log });
    if (result.outcome === 'updated') await keep({ result: 'updated', content: rendered.text });
    return { resource, ok: true, result, services: rendered.services, ...listed };
  } catch (err) {
    const error =
      err instanceof ResourceError ? err : new ResourceError(resource.name, 'commit', messageOf(err), { cause: err });
    await keep({ result: 'failed', content: rendered.text, stage: error.stage, error: error.detail });
    return { resource, ok: false, error, services: rendered.services, ...listed };
  }
};

/** Logs each outcome the same way in every mode. */
export const logOutcomes = (outcomes: ResourceOutcome[], logger: Logger): void => {
  for (const o of outcomes) {
    const fields = { resource: o.resource.name, dest: o.resource.dest };
    if (o.ok) {
      // The pipeline itself logs what it replaced.
      if (o.result.outcome === 'would-update') logger.info('would update (noop)', fields);
      else if (o.result.outcome === 'unchanged') logger.debug('unchanged', fields);
    } else {
      logger.error(o.error.message, { ...fields, stage: o.error.stage });
    }
  }
};
