// An in-memory store that can be watched, for unit tests: put() and del()
// wake the watchers of every path at or above the key, as a real store's
// watch would; reads are counted.
import type { Backend, WatchListener } from '../../src/backends/backend.js';
import { filterUnder } from '../../src/backends/keys.js';

export interface MemoryStore {
  backend: Backend;
  /** getValues() calls so far. */
  reads(): number;
  /** Paths ever watched, sorted. */
  watched(): string[];
  put(key: string, value: string): void;
  del(key: string): void;
}

export const createMemoryStore = (): MemoryStore => {
  const data = new Map<string, string>();
  const listeners = new Map<string, Set<WatchListener>>();
  let reads = 0;
  const notify = (key: string): void => {
    for (const [path, set] of listeners) if (key === path || key.startsWith(path + '/')) for (const l of set) l.onChange();
  };
  const backend: Backend = {
    name: 'memory',
    endpoints: ['memory'],
    getValues: async (paths) => {
      reads += 1;
      return { values: filterUnder(data, paths) };
    },
    watch: async (path, listener) => {
      const set = listeners.get(path) ?? new Set();
      set.add(listener);
      listeners.set(path, set);
      return { close: async () => void set.delete(listener) };
    },
    close: async () => undefined,
  };
  return {
    backend,
    reads: () => reads,
    watched: () => [...listeners.keys()].sort(),
    put: (key, value) => {
      data.set(key, value);
      notify(key);
    },
    del: (key) => {
      data.delete(key);
      notify(key);
    },
  };
};
