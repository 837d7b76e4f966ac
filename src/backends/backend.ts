// The seam every store sits behind. Everything becomes a flat map of
// absolute key paths ("/app/live") to string values; structure lives in the
// template helpers, not here.

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
}

export const hasCatalog = (backend: Backend): backend is Backend & ServiceCatalog => {
  const { services, watchService } = backend as Partial<ServiceCatalog>;
  return typeof services === 'function' && typeof watchService === 'function';
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
