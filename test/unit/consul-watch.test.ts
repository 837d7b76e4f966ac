// The blocking-query loop against a scripted query: index bookkeeping,
// equal-data wake-ups, recovery after errors. The real agent is exercised in
// test/integration/consul-*.test.ts.
import { describe, expect, it } from 'vitest';
import { startBlockingWatch, type WatchTiming } from '../../src/backends/consul/watch.js';
import { silentLogger } from '../../src/log.js';
import { waitFor } from '../harness/wait.js';

const timing: WatchTiming = { waitSeconds: 1, minGapMs: 1, backoffBaseMs: 1, backoffMaxMs: 5 };

type Step = { index: number; fingerprint: string } | Error;

/** A query that answers from a script, then hangs until aborted (like an idle blocking query). */
const scripted = (steps: Step[]) => {
  const asked: number[] = [];
  let release: ((e: Error) => void) | undefined;
  return {
    asked,
    query: async (index: number) => {
      asked.push(index);
      const step = steps.shift();
      if (step instanceof Error) throw step;
      if (step) return step;
      return new Promise<never>((_, reject) => {
        release = reject;
      });
    },
    abort: () => release?.(new Error('aborted')),
  };
};

const run = async (steps: Step[]) => {
  const total = steps.length;
  const q = scripted(steps);
  let changes = 0;
  const errors: Error[] = [];
  const handle = await startBlockingWatch(
    { onChange: () => (changes += 1), onError: (e) => errors.push(e) },
    { what: 'test', query: q.query, abort: q.abort, timing, logger: silentLogger },
  );
  // The query after the last scripted answer proves that answer was handled.
  await waitFor('the script to run out', () => q.asked.length === total + 1, 5_000, 5);
  await handle.close();
  return { asked: q.asked, changes, errors };
};

describe('consul blocking watch loop', () => {
  it('lets the round a change wakes (next turn of the event loop) start before it sends the next query', async () => {
    const order: string[] = [];
    const q = scripted([{ index: 5, fingerprint: 'a' }, { index: 7, fingerprint: 'b' }]);
    const handle = await startBlockingWatch(
      { onChange: () => setImmediate(() => order.push('round')), onError: () => undefined },
      {
        what: 'test',
        query: (index) => {
          order.push(`query ${index}`);
          return q.query(index);
        },
        abort: q.abort,
        timing,
        logger: silentLogger,
      },
    );
    await waitFor('the query after the change', () => order.includes('query 7'), 5_000, 5);
    await handle.close();
    expect(order).toEqual(['query 0', 'query 5', 'round', 'query 7']);
  });

  it('starts with a plain read, then blocks on the index it got', async () => {
    const r = await run([{ index: 5, fingerprint: 'a' }, { index: 7, fingerprint: 'b' }]);
    expect(r.asked.slice(0, 3)).toEqual([0, 5, 7]);
    expect(r.changes).toBe(1);
  });

  it('stays silent on a wake-up with equal data, even with a new index', async () => {
    const r = await run([{ index: 5, fingerprint: 'a' }, { index: 9, fingerprint: 'a' }, { index: 12, fingerprint: 'a' }]);
    expect(r.asked.slice(0, 4)).toEqual([0, 5, 9, 12]);
    expect(r.changes).toBe(0);
  });

  it('re-learns the index with a plain read when a blocking query comes back with the same one', async () => {
    // The wait ran out, or an agent shutting down cut the query short.
    const r = await run([{ index: 5, fingerprint: 'a' }, { index: 5, fingerprint: 'a' }, { index: 2, fingerprint: 'b' }]);
    expect(r.asked.slice(0, 4)).toEqual([0, 5, 0, 2]);
    expect(r.changes).toBe(1);
  });

  it('follows an index that goes backwards, and an index of 0 makes the next query a plain read', async () => {
    const r = await run([
      { index: 50, fingerprint: 'a' },
      { index: 3, fingerprint: 'a' },
      { index: 0, fingerprint: 'b' },
      { index: 4, fingerprint: 'b' },
    ]);
    expect(r.asked.slice(0, 5)).toEqual([0, 50, 3, 0, 4]);
    expect(r.changes).toBe(1);
  });

  it('keeps going through errors, reads afresh after them, and notifies only when the data differs', async () => {
    const down = new Error('unreachable');
    const r = await run([
      { index: 10, fingerprint: 'a' },
      down,
      down,
      { index: 2, fingerprint: 'a' },
      down,
      { index: 3, fingerprint: 'b' },
    ]);
    expect(r.asked.slice(0, 7)).toEqual([0, 10, 0, 0, 2, 0, 3]);
    expect(r.changes).toBe(1);
    // Repeated identical errors are reported once per throttle window.
    expect(r.errors.map((e) => e.message)).toEqual(['unreachable']);
  });

  it('notifies after recovery when the first read failed', async () => {
    const r = await run([new Error('down at start'), { index: 4, fingerprint: 'a' }]);
    expect(r.changes).toBe(1);
    expect(r.errors).toHaveLength(1);
  });

  it('follows a blocking answer that changed the data with the next query at once, and paces one that did not', async () => {
    const q = scripted([{ index: 5, fingerprint: 'a' }, { index: 7, fingerprint: 'b' }, { index: 9, fingerprint: 'c' }, { index: 11, fingerprint: 'c' }]);
    const at: number[] = [];
    const query = (index: number) => {
      at.push(Date.now());
      return q.query(index);
    };
    const handle = await startBlockingWatch(
      { onChange: () => undefined, onError: () => undefined },
      { what: 'test', query, abort: q.abort, timing: { ...timing, minGapMs: 1_000 }, logger: silentLogger },
    );
    try {
      // After the plain read, one paced gap; then the changes come back to back, unpaced.
      await waitFor('the query after the wake-up without a change', () => q.asked.length === 5, 5_000, 5);
      expect(q.asked).toEqual([0, 5, 7, 9, 11]);
      expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(990);
      expect(at[3]! - at[1]!).toBeLessThan(1_000);
      expect(at[4]! - at[3]!).toBeGreaterThanOrEqual(990);
    } finally {
      await handle.close();
    }
  });

  it('paces the query after a plain read', async () => {
    const q = scripted([{ index: 5, fingerprint: 'a' }]);
    const handle = await startBlockingWatch(
      { onChange: () => undefined, onError: () => undefined },
      { what: 'test', query: q.query, abort: q.abort, timing: { ...timing, minGapMs: 60_000 }, logger: silentLogger },
    );
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect(q.asked).toEqual([0]);
    } finally {
      await handle.close();
    }
  });

  it('close() aborts the query in flight and resolves', async () => {
    const q = scripted([{ index: 1, fingerprint: 'a' }]);
    const handle = await startBlockingWatch(
      { onChange: () => undefined, onError: () => undefined },
      { what: 'test', query: q.query, abort: q.abort, timing, logger: silentLogger },
    );
    await waitFor('the blocking query', () => q.asked.length === 2, 5_000, 5);
    await handle.close();
    expect(q.asked).toEqual([0, 1]);
  });
});
