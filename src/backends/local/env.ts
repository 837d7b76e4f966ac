// The env backend: /app/port ↔ APP_PORT, as confd maps them. The
// environment of a running process does not change, so a watch never fires.
import type { Backend, BackendOptions, Snapshot, WatchHandle } from '../backend.js';
import { filterUnder, normalizeKey } from '../keys.js';

export const ENV_BACKEND = 'env';

/** "/app/port" → "APP_PORT" (confd's mapping: "/" ↔ "_", upper case). */
export const keyToEnvName = (key: string): string => normalizeKey(key).slice(1).replace(/\//g, '_').toUpperCase();

/** "APP_PORT" → "/app/port". */
export const envNameToKey = (name: string): string => '/' + name.toLowerCase().replace(/_/g, '/');

export const createEnvBackend = (
  _options: BackendOptions,
  _logger?: unknown,
  env: NodeJS.ProcessEnv = process.env,
): Backend => ({
  name: ENV_BACKEND,
  endpoints: ['environment'],
  getValues: async (paths): Promise<Snapshot> => {
    const all = new Map<string, string>();
    for (const [name, value] of Object.entries(env)) {
      if (value !== undefined && /^[A-Za-z0-9_.-]+$/.test(name)) all.set(envNameToKey(name), value);
    }
    // Exact names first, so /app/port finds APP_PORT even when a sibling maps ambiguously.
    for (const p of paths) {
      const v = env[keyToEnvName(p)];
      if (v !== undefined) all.set(normalizeKey(p), v);
    }
    return { values: filterUnder(all, paths) };
  },
  watch: async (): Promise<WatchHandle> => ({ close: async () => undefined }),
  close: async () => undefined,
});
