// The etcd v3 backend. Loaded only when --backend etcd is used, so the gRPC
// client library stays out of every other start-up.
import type { Logger } from '../../log.js';
import type { Backend, BackendOptions, LeasedWrites, Snapshot, Transactions, WatchHandle, WatchListener, WatchOptions } from '../backend.js';
import { etcdNodes, etcdSettings, withFailover } from './client.js';
import { toBackendError } from './errors.js';
import { createEtcdLeasedKey, latestModRevision } from './leased.js';
import { createEtcdMembers } from './members.js';
import { etcdPutMany } from './put-many.js';
import { etcd3RangeTxn, readSnapshot } from './snapshot.js';
import { explainRevisionError, planEtcdRevert } from './time-travel.js';
import { withTimeout } from '../retry.js';
import { startEtcdWatch, type EtcdWatchDeps } from './watch.js';
import { createWatchedViews } from './watched-views.js';
import { normalizeKey } from '../keys.js';

export const ETCD_BACKEND_NAME = 'etcd';

export const createEtcdBackend = (options: BackendOptions, logger: Logger): Backend & LeasedWrites & Transactions => {
  const settings = etcdSettings(options);
  const endpoints = etcdNodes(options);
  const log = logger.child({ backend: ETCD_BACKEND_NAME });
  const members = createEtcdMembers(options, settings, endpoints, log);
  const handles = new Set<WatchHandle>();
  // Every watched path's keys, kept current by its watch: a round after a change reads nothing.
  const views = createWatchedViews();
  const stats = { watching: 0, reconnects: 0, lastError: undefined as string | undefined, lastCallOk: true };
  // Auth, then the call on each endpoint in turn: one deadline apiece.
  const callBudgetMs = settings.requestTimeoutMs * (endpoints.length + 1);
  const watchDeps: EtcdWatchDeps = {
    members,
    logger: log,
    createTimeoutMs: Math.max(settings.requestTimeoutMs, 10_000),
    backoffMs: [250, 5000],
    errorIntervalMs: 30_000,
    stats,
    views,
  };

  // Every call is bounded here too: a stalled connection must not hang a --onetime run.
  // Reads race the members themselves; a write is tried on one member after another.
  const bounded = async <T>(action: string, run: () => Promise<T>, attempts = endpoints.length): Promise<T> => {
    try {
      const result = await withTimeout(withFailover(attempts, run), callBudgetMs, () => new Error(`no answer within ${callBudgetMs} ms`));
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
      const read = await bounded(`read ${paths.join(', ')}`, () => members.read((c) => readSnapshot(etcd3RangeTxn(c.kv), paths)), 1);
      views.fill(paths, read);
      return read;
    },
    getValuesAt: async (paths, revision) => {
      try {
        return await bounded(
          `read ${paths.join(', ')} at revision ${revision}`,
          () => members.read((c) => readSnapshot(etcd3RangeTxn(c.kv), paths, revision)),
          1,
        );
      } catch (err) {
        throw await explainRevisionError(members.preferred.current(), revision, endpoints.join(','), err);
      }
    },
    planRevert: async (paths, revision) => {
      try {
        const plan = await bounded(`read ${paths.join(', ')} at revision ${revision}`, () =>
          members.write((c) => planEtcdRevert(c.kv, endpoints.join(','), paths, revision)),
        );
        // Not retried: a transaction whose answer was lost may have been applied.
        const apply = () => plan.apply().finally(() => views.forget());
        return { ...plan, apply: () => apply().catch((err: unknown) => Promise.reject(toBackendError(err, endpoints, 'revert'))) };
      } catch (err) {
        throw await explainRevisionError(members.preferred.current(), revision, endpoints.join(','), err);
      }
    },
    stats: () => ({
      connected: stats.lastCallOk || stats.watching > 0,
      watching: stats.watching,
      reconnects: stats.reconnects,
      ...(stats.lastError !== undefined ? { lastError: stats.lastError } : {}),
    }),
    endpointHealth: () => members.health.report(),
    put: async (key: string, value: string): Promise<void> => {
      // Forgotten once the write is done: a read from then on sees it.
      await bounded(`put ${key}`, () => members.write((c) => c.kv.put({ key: Buffer.from(normalizeKey(key)), value: Buffer.from(value) }))).finally(() =>
        views.forget(normalizeKey(key)),
      );
    },
    delete: async (key: string): Promise<void> => {
      await bounded(`delete ${key}`, () => members.write((c) => c.kv.deleteRange({ key: Buffer.from(normalizeKey(key)) }))).finally(() =>
        views.forget(normalizeKey(key)),
      );
    },
    // One attempt: a transaction whose answer was lost may have been applied.
    putMany: (writes, guards = []) =>
      bounded(`transaction writing ${writes.map((w) => w.key).join(', ')}`, () => members.write((c) => etcdPutMany(c.kv, writes, guards)), 1).finally(() => {
        for (const w of writes) views.forget(normalizeKey(w.key));
      }),
    leasedKey: (key, ttlMs, onLost) => createEtcdLeasedKey(members.preferred, key, ttlMs, onLost),
    latestRevision: (paths) => bounded(`read revisions of ${paths.join(', ')}`, () => members.read((c) => latestModRevision(c.kv, paths)), 1),
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
      members.close();
    },
  };
};
