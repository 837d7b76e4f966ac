// The etcd v3 backend. Loaded only when --backend etcd is used, so the gRPC
// client library stays out of every other start-up.
import type { Logger } from '../../log.js';
import type { Backend, BackendOptions, LeasedWrites, Snapshot, WatchHandle, WatchListener, WatchOptions } from '../backend.js';
import { createEtcdClient, createEtcdClientRef, etcdNodes, etcdSettings, withFailover } from './client.js';
import { toBackendError } from './errors.js';
import { createEtcdLeasedKey, latestModRevision } from './leased.js';
import { etcd3RangeTxn, readSnapshot } from './snapshot.js';
import { explainRevisionError, planEtcdRevert } from './time-travel.js';
import { withTimeout } from '../retry.js';
import { startEtcdWatch, type EtcdWatchDeps } from './watch.js';
import { createWatchedViews } from './watched-views.js';
import { normalizeKey } from '../keys.js';

export const ETCD_BACKEND_NAME = 'etcd';

export const createEtcdBackend = (options: BackendOptions, logger: Logger): Backend & LeasedWrites => {
  const settings = etcdSettings(options);
  const endpoints = etcdNodes(options);
  const clients = createEtcdClientRef(() => createEtcdClient(options, settings));
  const log = logger.child({ backend: ETCD_BACKEND_NAME });
  const handles = new Set<WatchHandle>();
  // Every watched path's keys, kept current by its watch: a round after a change reads nothing.
  const views = createWatchedViews();
  const stats = { watching: 0, reconnects: 0, lastError: undefined as string | undefined, lastCallOk: true };
  // Auth, then the call on each endpoint in turn: one deadline apiece.
  const callBudgetMs = settings.requestTimeoutMs * (endpoints.length + 1);
  const watchDeps: EtcdWatchDeps = {
    clients,
    endpoints,
    logger: log,
    createTimeoutMs: Math.max(settings.requestTimeoutMs, 10_000),
    backoffMs: [250, 5000],
    errorIntervalMs: 30_000,
    stats,
    views,
  };

  // Every call is bounded here too: a stalled connection must not hang a --onetime run.
  const bounded = async <T>(action: string, run: () => Promise<T>): Promise<T> => {
    try {
      const result = await withTimeout(withFailover(endpoints.length, run), callBudgetMs, () => new Error(`no answer within ${callBudgetMs} ms`));
      stats.lastCallOk = true;
      return result;
    } catch (err) {
      const error = toBackendError(err, endpoints, action);
      stats.lastCallOk = false;
      stats.lastError = error.message;
      throw error;
    }
  };

  return {
    name: ETCD_BACKEND_NAME,
    endpoints,
    getValues: async (paths: readonly string[]): Promise<Snapshot> => {
      const known = views.snapshot(paths);
      if (known) return known;
      const read = await bounded(`read ${paths.join(', ')}`, () => readSnapshot(etcd3RangeTxn(clients.current().kv), paths));
      views.fill(paths, read);
      return read;
    },
    getValuesAt: async (paths, revision) => {
      try {
        return await bounded(`read ${paths.join(', ')} at revision ${revision}`, () => readSnapshot(etcd3RangeTxn(clients.current().kv), paths, revision));
      } catch (err) {
        throw await explainRevisionError(clients.current(), revision, endpoints.join(','), err);
      }
    },
    planRevert: async (paths, revision) => {
      try {
        const plan = await bounded(`read ${paths.join(', ')} at revision ${revision}`, () =>
          planEtcdRevert(clients.current().kv, endpoints.join(','), paths, revision),
        );
        // Not retried: a transaction whose answer was lost may have been applied.
        const apply = () => plan.apply().finally(() => views.forget());
        return { ...plan, apply: () => apply().catch((err: unknown) => Promise.reject(toBackendError(err, endpoints, 'revert'))) };
      } catch (err) {
        throw await explainRevisionError(clients.current(), revision, endpoints.join(','), err);
      }
    },
    stats: () => ({
      connected: stats.lastCallOk || stats.watching > 0,
      watching: stats.watching,
      reconnects: stats.reconnects,
      ...(stats.lastError !== undefined ? { lastError: stats.lastError } : {}),
    }),
    put: async (key: string, value: string): Promise<void> => {
      // Forgotten once the write is done: a read from then on sees it.
      await bounded(`put ${key}`, () => clients.current().kv.put({ key: Buffer.from(normalizeKey(key)), value: Buffer.from(value) })).finally(() => views.forget(normalizeKey(key)));
    },
    delete: async (key: string): Promise<void> => {
      // Forgotten once the write is done: a read from then on sees it.
      await bounded(`delete ${key}`, () => clients.current().kv.deleteRange({ key: Buffer.from(normalizeKey(key)) })).finally(() => views.forget(normalizeKey(key)));
    },
    leasedKey: (key, ttlMs, onLost) => createEtcdLeasedKey(clients, key, ttlMs, onLost),
    latestRevision: (paths) => bounded(`read revisions of ${paths.join(', ')}`, () => latestModRevision(clients.current().kv, paths)),
    // Resolves once etcd confirms the watch, or after the first attempt failed
    // (reported through onError): the loop keeps trying and resyncs when it gets through.
    watch: async (path: string, listener: WatchListener, watchOptions?: WatchOptions): Promise<WatchHandle> => {
      const handle = await startEtcdWatch(watchDeps, normalizeKey(path), listener, watchOptions?.afterRevision);
      const tracked: WatchHandle = {
        close: async () => {
          handles.delete(tracked);
          await handle.close();
        },
      };
      handles.add(tracked);
      return tracked;
    },
    close: async (): Promise<void> => {
      await Promise.all([...handles].map((h) => h.close()));
      clients.close();
    },
  };
};
