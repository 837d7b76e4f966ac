// One watch per distinct key path (and per catalog service, and one on the
// catalog's service list), shared by every resource that reads it. A change wakes exactly the resources that use it.
import { hasCatalog, type Backend, type WatchHandle, type WatchListener } from '../backends/backend.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../log.js';

interface Entry {
  users: Set<string>;
  handle?: WatchHandle;
  closed: boolean;
}

/** The watches of one kind (key paths or catalog services). */
interface Table {
  entries: Map<string, Entry>;
  describe(key: string): string;
  watch(key: string, listener: WatchListener): Promise<WatchHandle>;
  /**
   * Opened after the render that named them (services): a watch takes what it
   * first sees as known, so its users read once more when it is up, or a change
   * between that render's read and the watch would be missed.
   */
  readAfterOpen: boolean;
}

export interface WatchRegistry {
  /** Makes `resource` the user of exactly these paths; opens and closes watches as needed. */
  setPaths(resource: string, paths: readonly string[]): Promise<void>;
  /** The same for catalog services. */
  setServices(resource: string, names: readonly string[]): Promise<void>;
  /** Makes `resource` a user of the catalog's service list, or no longer one. */
  setServiceList(resource: string, used: boolean): Promise<void>;
  closeAll(): Promise<void>;
}

/** The one entry of the service-list table. */
const LIST_KEY = 'services';

export const createWatchRegistry = (
  backend: Backend,
  logger: Logger,
  onChange: (resources: ReadonlySet<string>, what: string) => void,
): WatchRegistry => {
  const paths: Table = { entries: new Map(), describe: (path) => path, watch: (path, l) => backend.watch(path, l), readAfterOpen: false };
  // Only a store with a service catalog has services to watch.
  const services: Table | undefined = hasCatalog(backend)
    ? { entries: new Map(), describe: (name) => `service:${name}`, watch: (name, l) => backend.watchService(name, l), readAfterOpen: true }
    : undefined;
  const list: Table | undefined = hasCatalog(backend)
    ? { entries: new Map(), describe: () => 'service list', watch: (_key, l) => backend.watchServiceList(l), readAfterOpen: false }
    : undefined;

  const listenerFor = (entry: Entry, what: string): WatchListener => ({
    onChange: () => {
      if (!entry.closed) onChange(entry.users, what);
    },
    onError: (err) => logger.warn('watch problem; recovering', { watch: what, error: messageOf(err) }),
  });

  const open = async (table: Table, key: string): Promise<void> => {
    const entry = table.entries.get(key);
    if (!entry) return;
    const what = table.describe(key);
    try {
      const handle = await table.watch(key, listenerFor(entry, what));
      if (entry.closed) await handle.close();
      else entry.handle = handle;
      logger.debug('watching', { watch: what });
      if (table.readAfterOpen && !entry.closed) onChange(entry.users, what);
    } catch (err) {
      logger.error('cannot watch', { watch: what, error: messageOf(err) });
    }
  };

  const assign = async (table: Table, resource: string, keys: readonly string[]) => {
    const wanted = new Set(keys);
    const closing: Promise<void>[] = [];
    for (const [key, entry] of table.entries) {
      if (entry.users.has(resource) && !wanted.has(key)) {
        entry.users.delete(resource);
        if (entry.users.size === 0) {
          entry.closed = true;
          table.entries.delete(key);
          if (entry.handle) closing.push(entry.handle.close());
        }
      }
    }
    const opening: Promise<void>[] = [];
    for (const key of wanted) {
      const entry = table.entries.get(key);
      if (entry) entry.users.add(resource);
      else {
        table.entries.set(key, { users: new Set([resource]), closed: false });
        opening.push(open(table, key));
      }
    }
    await Promise.all([...closing, ...opening]);
  };

  return {
    setPaths: (resource, keys) => assign(paths, resource, keys),
    setServices: async (resource, names) => {
      if (services) await assign(services, resource, names);
    },
    setServiceList: async (resource, used) => {
      if (list) await assign(list, resource, used ? [LIST_KEY] : []);
    },
    closeAll: async () => {
      const all = [...paths.entries.values(), ...(services?.entries.values() ?? []), ...(list?.entries.values() ?? [])];
      paths.entries.clear();
      services?.entries.clear();
      list?.entries.clear();
      for (const e of all) e.closed = true;
      await Promise.all(all.map(async (e) => e.handle?.close().catch(() => undefined)));
    },
  };
};

/**
 * Opens the watches of every resource. Watches first, snapshot second:
 * nothing written in between is missed. A store that is down must not hold up
 * the first round forever, so this gives up waiting after `timeoutMs` (the
 * watches keep being established in the background) — and calls `late` once
 * they are: a watch set up after the snapshot takes what it first sees as
 * known, so what changed in between is read again then.
 */
export const watchEvery = async (
  registry: WatchRegistry,
  resources: readonly { name: string; paths: readonly string[]; serviceList?: boolean }[],
  timeoutMs: number,
  late: () => void = () => undefined,
): Promise<void> => {
  let settled = false;
  const setup = Promise.all(
    resources.flatMap((r) => [registry.setPaths(r.name, r.paths), ...(r.serviceList ? [registry.setServiceList(r.name, true)] : [])]),
  ).then(
    () => {
      if (settled) late();
      settled = true;
    },
    () => undefined,
  );
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([setup, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
  clearTimeout(timer);
  settled = true;
};
