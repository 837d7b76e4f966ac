// The cases every backend must pass, run against each real store.
//
// Usage, in test/integration/<store>-contract.test.ts:
//
//   describeBackendContract('etcd', async () => {
//     const server = await startEtcd();
//     const backend = createEtcdBackend({ nodes: [server.endpoint], files: [] }, silentLogger);
//     return { backend, put: ..., del: ..., restart: () => server.restart(),
//              teardown: async () => { await backend.close(); await server.stop(); } };
//   });
//
// setup() runs once per file; each case works under its own key prefix, so
// cases do not see each other's keys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, Snapshot, WatchHandle } from '../../src/backends/backend.js';
import { waitFor } from '../harness/wait.js';

export interface ContractFixture {
  /** The backend under test. */
  backend: Backend;
  /** Writes a key the way an outside writer would (not through `backend` if avoidable). */
  put(key: string, value: string): Promise<void>;
  /** Deletes one key, as an outside writer. */
  del(key: string): Promise<void>;
  /** Writes many keys at once; defaults to put() in small parallel batches. */
  putMany?(entries: ReadonlyArray<readonly [string, string]>): Promise<void>;
  /** Restarts the server (same address and data); enables the restart case. */
  restart?(): Promise<void>;
  /** Closes the backend and stops the server. */
  teardown(): Promise<void>;
  /** Deadline for a watch to see a change (ms); default 30 s. */
  watchTimeoutMs?: number;
}

/** A watch whose listener re-reads the path on every onChange, as the daemon does. */
export interface ReadingWatch {
  latest(): Snapshot | undefined;
  changes(): number;
  errors(): Error[];
  close(): Promise<void>;
}

export const watchAndRead = async (backend: Backend, path: string, afterRevision?: string): Promise<ReadingWatch> => {
  let latest: Snapshot | undefined;
  let changes = 0;
  const errors: Error[] = [];
  const handle: WatchHandle = await backend.watch(
    path,
    {
      onChange: () => {
        changes += 1;
        backend.getValues([path]).then(
          (snap) => {
            latest = snap;
          },
          (err: Error) => errors.push(err),
        );
      },
      onError: (err) => errors.push(err),
    },
    { afterRevision },
  );
  return { latest: () => latest, changes: () => changes, errors: () => errors, close: () => handle.close() };
};

const putInBatches = async (fixture: ContractFixture, entries: ReadonlyArray<readonly [string, string]>): Promise<void> => {
  for (let i = 0; i < entries.length; i += 25) {
    await Promise.all(entries.slice(i, i + 25).map(([k, v]) => fixture.put(k, v)));
  }
};

/**
 * What a store can do at all. Cases a store cannot support are not
 * registered (rather than skipped): the environment of a running process
 * never changes, so the env backend has no watch cases.
 */
export interface ContractCapabilities {
  /** Outside writes can be watched (default true). */
  watch?: boolean;
}

export const describeBackendContract = (
  name: string,
  setup: () => Promise<ContractFixture>,
  capabilities: ContractCapabilities = {},
): void => {
  const canWatch = capabilities.watch ?? true;
  const itWatches = (title: string, fn: () => Promise<void>): void => {
    if (canWatch) it(title, fn);
  };
  describe(`${name} backend contract`, () => {
    let fx: ContractFixture;
    const watches: ReadingWatch[] = [];
    const timeout = (): number => fx.watchTimeoutMs ?? 30_000;
    const valueSeen = (w: ReadingWatch, key: string, value: string | undefined) => () => w.latest()?.values.get(key) === value;
    const start = async (path: string): Promise<ReadingWatch> => {
      const snap = await fx.backend.getValues([path]);
      const w = await watchAndRead(fx.backend, path, snap.revision);
      watches.push(w);
      return w;
    };

    beforeAll(async () => {
      fx = await setup();
    });
    afterAll(async () => {
      for (const w of watches) await w.close();
      await fx?.teardown();
    });

    it('gets one key', async () => {
      await fx.put('/c1/app/port', '9001');
      const snap = await fx.backend.getValues(['/c1/app/port']);
      expect([...snap.values]).toEqual([['/c1/app/port', '9001']]);
    });

    it('gets a subtree, and not a sibling that shares the string prefix', async () => {
      await fx.put('/c2/app/live', 'blue');
      await fx.put('/c2/app/live/extra', 'x');
      await fx.put('/c2/app/lively', 'no');
      await fx.put('/c2/app/live-x', 'no');
      const snap = await fx.backend.getValues(['/c2/app/live']);
      expect([...snap.values].sort()).toEqual([
        ['/c2/app/live', 'blue'],
        ['/c2/app/live/extra', 'x'],
      ]);
    });

    it('gives no entry for a missing key', async () => {
      await fx.put('/c3/present', 'yes');
      const snap = await fx.backend.getValues(['/c3/missing', '/c3/present']);
      expect(snap.values.has('/c3/missing')).toBe(false);
      expect(snap.values.get('/c3/present')).toBe('yes');
    });

    itWatches('sees a put through a watch', async () => {
      const w = await start('/c4');
      await fx.put('/c4/a', 'one');
      await waitFor('the watch to see /c4/a', valueSeen(w, '/c4/a', 'one'), timeout());
      expect(w.changes()).toBeGreaterThan(0);
    });

    itWatches('sees a delete through a watch', async () => {
      await fx.put('/c5/a', 'doomed');
      await fx.put('/c5/b', 'stays');
      const w = await start('/c5');
      await fx.del('/c5/a');
      await waitFor('the watch to see /c5/a deleted', () => {
        const values = w.latest()?.values;
        return values !== undefined && !values.has('/c5/a') && values.get('/c5/b') === 'stays';
      }, timeout());
    });

    it('reads 500 keys in one snapshot', async () => {
      const entries = Array.from({ length: 500 }, (_, i) => [`/c6/k/${String(i).padStart(3, '0')}`, `v${i}`] as const);
      await (fx.putMany ? fx.putMany(entries) : putInBatches(fx, entries));
      const snap = await fx.backend.getValues(['/c6']);
      expect(snap.values.size).toBe(500);
      expect(snap.values.get('/c6/k/499')).toBe('v499');
    });

    itWatches('sees a change made after the server restarts under a watch', async () => {
      const w = await start('/c7');
      if (!fx.restart) throw new Error(`the ${name} fixture must offer restart()`);
      await fx.restart();
      const started = Date.now();
      await fx.put('/c7/after', 'restart');
      await waitFor('the watch to see a change after the restart', valueSeen(w, '/c7/after', 'restart'), timeout());
      console.info(`${name}: change after restart seen in ${Date.now() - started} ms`);
    });
  });
};
