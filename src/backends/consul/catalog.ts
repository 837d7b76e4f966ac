// Consul's catalog: healthy instances of a service from
// /v1/health/service/<name>?passing=true, as ServiceInstances in a stable order,
// and the listing of every service from /v1/catalog/services.
import type { CatalogService, ServiceInstance } from '../backend.js';
import type { ConsulConnection, Purpose } from './client.js';
import { blockingOptions, queryTimeoutMs, readMode, type Blocking } from './kv.js';

interface HealthEntry {
  Node?: { Node?: string; Address?: string };
  Service?: {
    ID?: string;
    Service?: string;
    Address?: string;
    Port?: number;
    Tags?: string[] | null;
    Meta?: Record<string, string> | null;
  };
}

export interface ServicesRead {
  instances: ServiceInstance[];
  index: number;
}

const servicePurpose = (name: string): Purpose => ({ action: `reading service "${name}"`, permission: 'service:read (and node:read)' });

/** The service's own address, else its node's. */
export const toServiceInstance = (entry: HealthEntry): ServiceInstance => {
  const svc = entry.Service ?? {};
  return {
    id: svc.ID ?? '',
    name: svc.Service ?? '',
    address: svc.Address || entry.Node?.Address || '',
    port: svc.Port ?? 0,
    tags: [...(svc.Tags ?? [])],
    meta: { ...(svc.Meta ?? {}) },
    node: entry.Node?.Node ?? '',
  };
};

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** By node, address, port, id: the same instances always render in the same order. */
export const sortInstances = (instances: ServiceInstance[]): ServiceInstance[] =>
  [...instances].sort(
    (a, b) => compareText(a.node, b.node) || compareText(a.address, b.address) || a.port - b.port || compareText(a.id, b.id),
  );

/**
 * Consul drops instances the token may not see without saying so; an empty
 * answer is checked with the ACL authorize endpoint. Any doubt reads as allowed.
 */
const mayReadService = async (conn: ConsulConnection, name: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> => {
  try {
    const answer = await conn.send<Array<{ Allow?: boolean }>>(servicePurpose(name), timeoutMs, (api, o) =>
      api.acl.authorize([{ Resource: 'service', Segment: name, Access: 'read' }], o),
    signal, 'read');
    return answer.body?.[0]?.Allow !== false;
  } catch {
    return true;
  }
};

export const readServiceInstances = async (
  conn: ConsulConnection,
  name: string,
  requestTimeoutMs: number,
  blocking?: Blocking,
  signal?: AbortSignal,
): Promise<ServicesRead> => {
  const purpose = servicePurpose(name);
  const answer = await conn.send<HealthEntry[]>(
    purpose,
    queryTimeoutMs(requestTimeoutMs, blocking),
    (api, o) => api.health.service({ ...blockingOptions(o, blocking), service: name, passing: true }),
    signal,
    readMode(blocking),
  );
  const entries = Array.isArray(answer.body) ? answer.body : [];
  if (entries.length === 0 && (answer.filteredByAcl || !(await mayReadService(conn, name, requestTimeoutMs, signal)))) {
    throw conn.fail(purpose, `permission denied ${purpose.action} (the token needs ${purpose.permission} on it)`);
  }
  return { instances: sortInstances(entries.map(toServiceInstance)), index: answer.index };
};

export interface ServiceListRead {
  services: CatalogService[];
  index: number;
}

const listPurpose: Purpose = { action: 'listing the catalog services', permission: 'service:read' };

/**
 * Every service the token may see, by name, each one's tags sorted (Consul
 * answers name → the distinct tags of its instances). Consul leaves out the
 * services a token may not read without saying so.
 */
export const readServiceList = async (
  conn: ConsulConnection,
  requestTimeoutMs: number,
  blocking?: Blocking,
  signal?: AbortSignal,
): Promise<ServiceListRead> => {
  const answer = await conn.send<Record<string, string[] | null>>(
    listPurpose,
    queryTimeoutMs(requestTimeoutMs, blocking),
    (api, o) => api.catalog.service.list(blockingOptions(o, blocking)),
    signal,
    readMode(blocking),
  );
  const body = typeof answer.body === 'object' && answer.body !== null ? answer.body : {};
  const services = Object.entries(body)
    .map(([name, tags]) => ({ name, tags: [...(tags ?? [])].sort(compareText) }))
    .sort((a, b) => compareText(a.name, b.name));
  return { services, index: answer.index };
};
