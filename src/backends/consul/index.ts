// The Consul backend: KV reads and blocking-query watches, writes for
// blue/green, and healthy service instances and the service list from the catalog. The `consul`
// package is loaded on the first request (see consul-client.ts).
import { addSecret, type Logger } from '../../log.js';
import type { Backend, BackendOptions, LeasedWrites, ServiceCatalog, Snapshot, Transactions, WatchHandle, WatchListener, WatchOptions } from '../backend.js';
import { readServiceInstances, readServiceList } from './catalog.js';
import { CONSUL_NAME, createConsulConnection } from './client.js';
import { deleteKvKey, fingerprintRead, putKvKey, readKvPath, snapshotOfReads, toWireKey } from './kv.js';
import { consulPutMany } from './put-many.js';
import { createConsulLeasedKey } from './session.js';
import { DEFAULT_WATCH_TIMING, startBlockingWatch, type WatchQuery, type WatchTiming } from './watch.js';
import { collapsePaths } from '../keys.js';
import { createWatchedValues } from './watched-values.js';

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

export const createConsulBackend = (
  options: BackendOptions,
  logger: Logger,
  /** Watch pacing; tests shorten it. */
  timing: Partial<WatchTiming> = {},
): Backend & ServiceCatalog & LeasedWrites & Transactions => {
  addSecret(options.authToken);
  const log = logger.child({ backend: CONSUL_NAME });
  const conn = createConsulConnection(options, log);
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const watchTiming: WatchTiming = { ...DEFAULT_WATCH_TIMING, ...timing };
  const watches = new Set<WatchHandle>();
  // The last answer of each watched path: the round a change wakes reads nothing more.
  const kept = createWatchedValues();

  /** Runs a blocking watch whose requests one AbortController can cut short. */
  const watchWith = async (
    what: string,
    listener: WatchListener,
    query: (index: number, signal: AbortSignal) => ReturnType<WatchQuery>,
    afterIndex?: number,
  ): Promise<WatchHandle> => {
    const controller = new AbortController();
    const inner = await startBlockingWatch(listener, {
      what,
      query: (index) => query(index, controller.signal),
      abort: () => controller.abort(),
      timing: watchTiming,
      logger: log,
      afterIndex,
    });
    const handle: WatchHandle = {
      close: async () => {
        watches.delete(handle);
        await inner.close();
      },
    };
    watches.add(handle);
    log.debug('watching', { watch: what, endpoint: conn.endpoint() });
    return handle;
  };

  const blocking = (index: number): { index: number; waitSeconds: number } => ({ index, waitSeconds: watchTiming.waitSeconds });

  return {
    name: CONSUL_NAME,
    endpoints: conn.endpoints,
    endpointHealth: () => conn.health.report(),

    getValues: async (paths): Promise<Snapshot> => {
      const known = kept.snapshot(paths);
      if (known) return known;
      return snapshotOfReads(await Promise.all(collapsePaths(paths).map((p) => readKvPath(conn, p, requestTimeoutMs))));
    },

    watch: async (path, listener, watchOptions?: WatchOptions) => {
      const after = Number(watchOptions?.afterRevision);
      const answers = kept.keep(path);
      try {
        const handle = await watchWith(
          `key "${toWireKey(path)}"`,
          listener,
          async (index, signal) => {
            try {
              const read = await readKvPath(conn, path, requestTimeoutMs, blocking(index), signal);
              // Kept before the watch tells anyone, so the round it wakes sees this answer.
              answers?.set(read);
              return { index: read.index, fingerprint: fingerprintRead(read) };
            } catch (err) {
              answers?.drop();
              throw err;
            }
          },
          Number.isSafeInteger(after) && after > 0 ? after : undefined,
        );
        return {
          close: async () => {
            answers?.release();
            await handle.close();
          },
        };
      } catch (err) {
        answers?.release();
        throw err;
      }
    },

    // Forgotten once the write is done: a read from then on sees it.
    put: (key, value) => putKvKey(conn, key, value, requestTimeoutMs).finally(() => kept.forget(key)),
    delete: (key) => deleteKvKey(conn, key, requestTimeoutMs).finally(() => kept.forget(key)),
    putMany: (writes, guards = []) =>
      consulPutMany(conn, writes, guards, requestTimeoutMs).finally(() => {
        for (const w of writes) kept.forget(w.key);
      }),

    leasedKey: (key, ttlMs, onLost) => createConsulLeasedKey(conn, key, ttlMs, requestTimeoutMs, onLost),
    // A recursive read's X-Consul-Index is the newest modify index under the prefix, deletions included.
    latestRevision: async (paths) => {
      const reads = await Promise.all(collapsePaths(paths).map((p) => readKvPath(conn, p, requestTimeoutMs)));
      return String(Math.max(0, ...reads.map((r) => r.index)));
    },

    services: async (name) => (await readServiceInstances(conn, name, requestTimeoutMs)).instances,

    watchService: (name, listener) =>
      watchWith(`service "${name}"`, listener, async (index, signal) => {
        const read = await readServiceInstances(conn, name, requestTimeoutMs, blocking(index), signal);
        return { index: read.index, fingerprint: JSON.stringify(read.instances) };
      }),

    serviceList: async () => (await readServiceList(conn, requestTimeoutMs)).services,

    watchServiceList: (listener) =>
      watchWith('the catalog service list', listener, async (index, signal) => {
        const read = await readServiceList(conn, requestTimeoutMs, blocking(index), signal);
        return { index: read.index, fingerprint: JSON.stringify(read.services) };
      }),

    close: async () => {
      await Promise.all([...watches].map((w) => w.close()));
      conn.close();
    },
  };
};
