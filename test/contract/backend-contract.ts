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
// cases do not see each other's keys. A store that cannot do something says
// so, with the reason, as a third argument (see ContractOptions):
//
//   describeBackendContract('env', setup, { unsupported: { watch: '...', restart: '...' } });
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
  /** Restarts the server (same address and data); without it, declare `restart` unsupported. */
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
  // Reads may answer out of order: the snapshot of the read started last is kept.
  let latestRead = 0;
  let changes = 0;
  const errors: Error[] = [];
  const handle: WatchHandle = await backend.watch(
    path,
    {
      onChange: () => {
        changes += 1;
        const read = changes;
        backend.getValues([path]).then(
          (snap) => {
            if (read < latestRead) return;
            latestRead = read;
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

/** What a case needs beyond reading: a watch that sees outside writes, a server restart. */
export type ContractCapability = 'watch' | 'restart';

/**
 * What a store cannot do, each with the reason, e.g. the environment of a
 * running process never changes, so the env backend has no watch. A case
 * that needs it is not dropped: one test, "not supported by <store>: ...",
 * runs every such case and requires each to fail, so the declaration is
 * exactly what the store lacks (a store that gains the capability fails it
 * until the declaration goes), and prints one line per case.
 */
export interface ContractOptions {
  unsupported?: Partial<Record<ContractCapability, string>>;
}

interface CaseContext {
  fx: ContractFixture;
  /** Deadline for a watch to see a change. */
  timeoutMs: number;
  /** A reading watch on path, started from a fresh snapshot and closed after the file. */
  start(path: string): Promise<ReadingWatch>;
}

interface ContractCase {
  title: string;
  needs: ContractCapability[];
  run(ctx: CaseContext): Promise<void>;
}

const valueSeen = (w: ReadingWatch, key: string, value: string | undefined) => () => w.latest()?.values.get(key) === value;

const CASES = (name: string): ContractCase[] => [
  {
    title: 'gets one key',
    needs: [],
    run: async ({ fx }) => {
      await fx.put('/c1/app/port', '9001');
      const snap = await fx.backend.getValues(['/c1/app/port']);
      expect([...snap.values]).toEqual([['/c1/app/port', '9001']]);
    },
  },
  {
    title: 'gets a subtree, and not a sibling that shares the string prefix',
    needs: [],
    run: async ({ fx }) => {
      await fx.put('/c2/app/live', 'blue');
      await fx.put('/c2/app/live/extra', 'x');
      await fx.put('/c2/app/lively', 'no');
      await fx.put('/c2/app/live-x', 'no');
      const snap = await fx.backend.getValues(['/c2/app/live']);
      expect([...snap.values].sort()).toEqual([
        ['/c2/app/live', 'blue'],
        ['/c2/app/live/extra', 'x'],
      ]);
    },
  },
  {
    title: 'gives no entry for a missing key',
    needs: [],
    run: async ({ fx }) => {
      await fx.put('/c3/present', 'yes');
      const snap = await fx.backend.getValues(['/c3/missing', '/c3/present']);
      expect(snap.values.has('/c3/missing')).toBe(false);
      expect(snap.values.get('/c3/present')).toBe('yes');
    },
  },
  {
    title: 'sees a put through a watch',
    needs: ['watch'],
    run: async ({ fx, start, timeoutMs }) => {
      const w = await start('/c4');
      await fx.put('/c4/a', 'one');
      await waitFor('the watch to see /c4/a', valueSeen(w, '/c4/a', 'one'), timeoutMs);
      expect(w.changes()).toBeGreaterThan(0);
    },
  },
  {
    title: 'sees a delete through a watch',
    needs: ['watch'],
    run: async ({ fx, start, timeoutMs }) => {
      await fx.put('/c5/a', 'doomed');
      await fx.put('/c5/b', 'stays');
      const w = await start('/c5');
      await fx.del('/c5/a');
      await waitFor('the watch to see /c5/a deleted', () => {
        const values = w.latest()?.values;
        return values !== undefined && !values.has('/c5/a') && values.get('/c5/b') === 'stays';
      }, timeoutMs);
    },
  },
  {
    title: 'reads 500 keys in one snapshot',
    needs: [],
    run: async ({ fx }) => {
      const entries = Array.from({ length: 500 }, (_, i) => [`/c6/k/${String(i).padStart(3, '0')}`, `v${i}`] as const);
      await (fx.putMany ? fx.putMany(entries) : putInBatches(fx, entries));
      const snap = await fx.backend.getValues(['/c6']);
      expect(snap.values.size).toBe(500);
      expect(snap.values.get('/c6/k/499')).toBe('v499');
    },
  },
  {
    title: 'sees a change made after the server restarts under a watch',
    needs: ['watch', 'restart'],
    run: async ({ fx, start, timeoutMs }) => {
      const w = await start('/c7');
      if (!fx.restart) throw new Error(`the ${name} fixture offers no restart()`);
      await fx.restart();
      const started = Date.now();
      await fx.put('/c7/after', 'restart');
      await waitFor('the watch to see a change after the restart', valueSeen(w, '/c7/after', 'restart'), timeoutMs);
      console.info(`${name}: change after restart seen in ${Date.now() - started} ms`);
    },
  },
];

/** How long an unsupported watch case waits before it counts as failed. */
const UNSUPPORTED_WATCH_MS = 2_000;

export const describeBackendContract = (
  name: string,
  setup: () => Promise<ContractFixture>,
  options: ContractOptions = {},
): void => {
  const unsupported = options.unsupported ?? {};
  const lacks = (c: ContractCase): ContractCapability[] => c.needs.filter((n) => unsupported[n] !== undefined);
  const cases = CASES(name);
  describe(`${name} backend contract`, () => {
    let fx: ContractFixture;
    const watches: ReadingWatch[] = [];
    const context = (timeoutMs: number): CaseContext => ({
      fx,
      timeoutMs,
      start: async (path) => {
        const snap = await fx.backend.getValues([path]);
        const w = await watchAndRead(fx.backend, path, snap.revision);
        watches.push(w);
        return w;
      },
    });

    beforeAll(async () => {
      fx = await setup();
    });
    afterAll(async () => {
      for (const w of watches) await w.close();
      await fx?.teardown();
    });

    for (const c of cases) {
      if (lacks(c).length === 0) it(c.title, () => c.run(context(fx.watchTimeoutMs ?? 30_000)));
    }

    const notSupported = cases.filter((c) => lacks(c).length > 0);
    const declared = Object.keys(unsupported) as ContractCapability[];
    if (declared.length === 0) return;
    it(`not supported by ${name}: ${notSupported.map((c) => c.title).join('; ') || '(no case)'}`, async () => {
      for (const capability of declared) {
        expect(notSupported.some((c) => c.needs.includes(capability)), `no case needs "${capability}", declared unsupported`).toBe(true);
      }
      for (const c of notSupported) {
        const failure = await c.run(context(UNSUPPORTED_WATCH_MS)).then(
          () => undefined,
          (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
        );
        const why = lacks(c).map((n) => `${n}: ${unsupported[n]}`).join('; ');
        expect(failure, `${name} declares "${c.title}" unsupported (${why}), yet the case passed`).toBeInstanceOf(Error);
        console.info(`not supported by ${name}: ${c.title} (${why}; the case fails: ${failure?.message.split('\n')[0]})`);
      }
    });
  });
};
