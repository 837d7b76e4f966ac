// The seam every store sits behind. Everything becomes a flat map of
// absolute key paths ("/app/live") to string values; structure lives in the
// template helpers, not here.
import type { EndpointReport } from './endpoint-health/health.js';

/** Absolute key path → value. */
export type KeyValues = Map<string, string>;

/** What one read of the store returned. */
export interface Snapshot {
  values: KeyValues;
  /**
   * The store's position at the time of the read (etcd revision, Consul
   * index), as a decimal string; watches started from this snapshot see every
   * change after it. Absent for stores without one (file, env).
   */
  revision?: string;
  /** Keys whose stored bytes were not valid UTF-8 (their values hold U+FFFD instead). */
  invalidUtf8?: string[];
}

/** What a backend knows about its connection, counted where it already logs it. */
export interface BackendStats {
  /** The last request or watch got through. */
  connected: boolean;
  /** Watch streams confirmed by the store right now. */
  watching: number;
  /** Watches re-established after they were lost. */
  reconnects: number;
  /** The last problem, secrets masked by the reader. */
  lastError?: string;
}

/** One key's change in a revert; undefined means the key is absent. */
export interface KeyChange {
  key: string;
  from: string | undefined;
  to: string | undefined;
}

export interface RevertPlan {
  /** The keys that differ, sorted by key. */
  changes: KeyChange[];
  /** The revision the current values were read at. */
  readRevision: string;
  /**
   * Writes the changes in one transaction that succeeds only if no key under
   * the paths changed since the read; resolves with the new store revision.
   */
  apply(): Promise<string>;
}

/** One healthy instance of a service in a catalog (Consul). */
export interface ServiceInstance {
  id: string;
  name: string;
  address: string;
  port: number;
  tags: string[];
  meta: Record<string, string>;
  node: string;
}

/** One service in a catalog's listing, with the tags its instances carry (Consul). */
export interface CatalogService {
  name: string;
  tags: string[];
}

export interface WatchListener {
  /**
   * Something at or below the watched path changed, or may have (after a
   * reconnect the watcher resyncs by calling this). The listener re-reads a
   * fresh snapshot; events carry no data on purpose.
   */
  onChange(): void;
  /** A problem worth logging. The watcher keeps recovering on its own. */
  onError(err: Error): void;
}

export interface WatchHandle {
  close(): Promise<void>;
}

export interface WatchOptions {
  /** Start after this snapshot revision (etcd: revision + 1). */
  afterRevision?: string;
}

export interface Backend {
  /** `etcd`, `consul`, `file`, `env`. */
  readonly name: string;
  /** Human-readable endpoints, for error messages (never credentials). */
  readonly endpoints: readonly string[];
  /**
   * Every key at or below each path (`/app/live` gives `/app/live` and
   * `/app/live/...`, never `/app/lively`). Rejects when the store is
   * unreachable, with a message that names the endpoint.
   */
  getValues(paths: readonly string[]): Promise<Snapshot>;
  /**
   * Watch one path (and everything below it) until the handle is closed.
   * Resolves once the watch is established. Recovers from disconnects on its
   * own and calls onChange after every recovery.
   */
  watch(path: string, listener: WatchListener, options?: WatchOptions): Promise<WatchHandle>;
  /** Write one key (blue/green operations, tests). */
  put?(key: string, value: string): Promise<void>;
  /** Delete one key. */
  delete?(key: string): Promise<void>;
  /**
   * Every key at or below each path as it was at a past store revision
   * (etcd). Rejects naming the compaction revision when that revision is gone.
   */
  getValuesAt?(paths: readonly string[], revision: string): Promise<Snapshot>;
  /** Plans putting every key at or below each path back to its value at `revision` (etcd). */
  planRevert?(paths: readonly string[], revision: string): Promise<RevertPlan>;
  /** Connection and watch counters, for the status page. */
  stats?(): BackendStats;
  /** Each endpoint of a clustered store: answering or not, answer times (/metrics, the status page). */
  endpointHealth?(): EndpointReport[];
  close(): Promise<void>;
}

/**
 * A service catalog (Consul), a capability some stores have beside their
 * keys. The daemon asks `hasCatalog` before it uses one.
 */
export interface ServiceCatalog {
  /** Healthy instances of a service, sorted by node, address, port, id. */
  services(name: string): Promise<ServiceInstance[]>;
  /** Watch a service's healthy instances, as `Backend.watch` watches a path. */
  watchService(name: string, listener: WatchListener): Promise<WatchHandle>;
  /** Every service in the catalog, healthy or not, sorted by name, each one's tags sorted. */
  serviceList(): Promise<CatalogService[]>;
  /** Watch the listing: services appearing, disappearing or changing tags. */
  watchServiceList(listener: WatchListener): Promise<WatchHandle>;
}

export const hasCatalog = (backend: Backend): backend is Backend & ServiceCatalog => {
  const { services, watchService, serviceList, watchServiceList } = backend as Partial<ServiceCatalog>;
  return [services, watchService, serviceList, watchServiceList].every((f) => typeof f === 'function');
};

/** One key bound to an etcd lease / a Consul session: it disappears when its owner stops renewing it. */
export interface LeasedKey {
  /** Writes the value under the lease (granting a new one when the old was lost). */
  set(value: string): Promise<void>;
  /** Gives the lease up: the key is deleted now. */
  close(): Promise<void>;
}

/**
 * Keys bound to a time to live (etcd leases, Consul sessions), a capability
 * some stores have beside their keys; `hasLeases` tells which.
 */
export interface LeasedWrites {
  /**
   * A key kept alive in the background while the process runs; `onLost` is
   * called when the store dropped the lease (the next `set` grants a new one).
   */
  leasedKey(key: string, ttlMs: number, onLost: (err: Error) => void): LeasedKey;
  /**
   * The newest revision (etcd: mod revision; Consul: index) of anything at or
   * below the paths, as a decimal string; "0" when nothing is there.
   */
  latestRevision(paths: readonly string[]): Promise<string>;
}

export const hasLeases = (backend: Backend): backend is Backend & LeasedWrites => {
  const { leasedKey, latestRevision } = backend as Partial<LeasedWrites>;
  return typeof leasedKey === 'function' && typeof latestRevision === 'function';
};

/** Options common to every backend factory, taken from the command line. */
export interface BackendOptions {
  nodes: string[];
  files: string[];
  username?: string;
  password?: string;
  authToken?: string;
  clientCert?: string;
  clientKey?: string;
  clientCaKeys?: string;
  /** How long one request may take before it counts as failed (ms). */
  requestTimeoutMs?: number;
  /** The run reads once and exits (--onetime): a backend may use a lighter client without a watch. */
  oneShot?: boolean;
}
