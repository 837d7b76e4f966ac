// The canary's control loop against an in-memory store with transactions, a
// scripted metric source and a fake clock: promotion, roll back, too few
// requests, a second canary, abort, a signal, a lost store.
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyGuard, KeyWrite } from '../../src/backends/backend.js';
import { abortCanary } from '../../src/canary/abort.js';
import type { ColorCounts, CountsByColor, MetricSource } from '../../src/canary/metric-source.js';
import type { CanaryOptions, CanaryRuntime } from '../../src/canary/options.js';
import { runCanary, type CanaryContext } from '../../src/canary/run.js';
import type { CanaryStore } from '../../src/canary/writes.js';
import { startShop, type MemoryBackend, type Shop } from './bluegreen-helpers.js';

type Store = MemoryBackend & CanaryStore & { down: boolean };

const withTransactions = (backend: MemoryBackend): Store => {
  const store = backend as Store;
  store.down = false;
  const getValues = backend.getValues.bind(backend);
  store.getValues = async (paths) => {
    if (store.down) throw new Error('memory store at memory: unreachable');
    return getValues(paths);
  };
  store.putMany = async (writes: readonly KeyWrite[], guards: readonly KeyGuard[] = []) => {
    if (store.down) throw new Error('memory store at memory: unreachable');
    if (guards.some((g) => backend.values.get(g.key) !== g.value)) return false;
    for (const w of writes) {
      if (w.value === undefined) backend.values.delete(w.key);
      else backend.values.set(w.key, w.value);
    }
    backend.log.push(`txn ${writes.map((w) => `${w.key}=${w.value ?? '(deleted)'}`).join(' ')}`);
    return true;
  };
  return store;
};

const OPTIONS: CanaryOptions = {
  steps: [10, 50, 100],
  intervalMs: 10_000,
  maxErrorRatePercent: 1,
  minRequests: 50,
  metrics: { kind: 'nginx-log', file: '/dev/null' },
  extensions: 2,
};

const counts = (green: ColorCounts): CountsByColor => ({ blue: { requests: 500, failures: 0 }, green });

interface Rig {
  shop: Shop;
  store: Store;
  ctx: CanaryContext & { lines: string[] };
  rt: CanaryRuntime;
  clock: { now: number };
  reads: number;
  /** Runs during each sleep, with the fake time. */
  onSleep?: (now: number) => Promise<void> | void;
  controller: AbortController;
}

let rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs) await r.shop.host.stop();
  rigs = [];
});

/** A rig whose metric source answers `script` read by read (the last answer repeats). */
const rig = async (script: ColorCounts[], healthy = true): Promise<Rig> => {
  const shop = await startShop(healthy ? ['blue', 'green'] : ['blue']);
  const store = withTransactions(shop.backend);
  const clock = { now: 1_000_000 };
  const controller = new AbortController();
  const r = { shop, store, clock, reads: 0, controller } as Rig;
  const source: MetricSource = {
    description: 'scripted source',
    mark: async () => undefined,
    read: async () => counts(script[Math.min(r.reads++, script.length - 1)]!),
    close: async () => undefined,
  };
  const ctx = shop.host.context(store, {
    sleep: async (ms) => {
      clock.now += ms;
      await r.onSleep?.(clock.now);
    },
  });
  r.ctx = { ...ctx, backend: store, lines: ctx.lines };
  r.rt = {
    openMetricSource: async () => source,
    signal: controller.signal,
    now: () => clock.now,
    pid: 4242,
    host: 'test-host',
    pollMs: 500,
    restoreAttempts: 3,
    restoreBackoffMs: 100,
  };
  rigs.push(r);
  return r;
};

const keys = (r: Rig): Record<string, string> => Object.fromEntries([...r.store.values].filter(([k]) => !k.endsWith('/addr')));

describe('canary control loop', () => {
  it('promotes 10 -> 50 -> 100, then makes the new color live and clears weights and state', async () => {
    const r = await rig([{ requests: 100, failures: 0 }, { requests: 400, failures: 2 }, { requests: 900, failures: 9 }]);
    const res = await runCanary(r.ctx, OPTIONS, r.rt);
    expect(res).toMatchObject({ ok: true, outcome: 'promoted', from: 'blue', to: 'green', live: 'green', weights: null });
    expect(res.canarySteps).toMatchObject([
      { step: 1, percent: 10, weights: { blue: 90, green: 10 }, requests: 100, failures: 0, errorRatePercent: 0, decision: 'promote' },
      { step: 2, percent: 50, weights: { blue: 50, green: 50 }, requests: 400, errorRatePercent: 0.5 },
      { step: 3, percent: 100, weights: { blue: 0, green: 100 }, requests: 900, errorRatePercent: 1 },
    ]);
    expect(keys(r)).toEqual({ '/apps/shop/live': 'green', '/apps/shop/previous': 'blue' });
    const txns = r.store.log.filter((l) => l.startsWith('txn'));
    expect(txns[0]).toMatch(/weight\/blue=90 \/apps\/shop\/weight\/green=10 \/apps\/shop\/canary=\{/);
    expect(txns).toHaveLength(4);
    expect(r.ctx.lines.join('\n')).toMatch(/step 2\/3 \(blue 50, green 50\): green 400 requests, 2 failures, error rate 0.5% -> next step/);
    // Each interval is waited in full on the fake clock.
    expect(r.clock.now - 1_000_000).toBeGreaterThanOrEqual(3 * OPTIONS.intervalMs);
  });

  it('rolls back at once when the error rate is above the limit, naming the measured rate', async () => {
    const r = await rig([{ requests: 100, failures: 0 }, { requests: 400, failures: 20 }]);
    const res = await runCanary(r.ctx, OPTIONS, r.rt);
    expect(res).toMatchObject({ ok: false, outcome: 'rolled-back', live: 'blue', weights: { blue: 100, green: 0 }, errorRatePercent: 5 });
    expect(res.error?.message).toMatch(/step 2\/3 \(blue 50, green 50\): error rate 5% \(20 of 400 requests\) is above --max-error-rate 1%/);
    expect(keys(r)).toEqual({ '/apps/shop/live': 'blue', '/apps/shop/weight/blue': '100', '/apps/shop/weight/green': '0' });
  });

  it('waits up to two more intervals for --min-requests, then fails with the reason', async () => {
    const r = await rig([{ requests: 10, failures: 0 }]);
    const res = await runCanary(r.ctx, OPTIONS, r.rt);
    expect(r.reads).toBe(3);
    expect(res).toMatchObject({ ok: false, outcome: 'rolled-back', live: 'blue', weights: { blue: 100, green: 0 } });
    expect(res.error?.message).toMatch(/not enough data: 10 requests, --min-requests is 50/);
    expect(keys(r)['/apps/shop/canary']).toBeUndefined();
  });

  it('goes on when the requests arrive during an extension', async () => {
    const r = await rig([{ requests: 10, failures: 0 }, { requests: 60, failures: 0 }]);
    const res = await runCanary(r.ctx, { ...OPTIONS, steps: [100] }, r.rt);
    expect(res).toMatchObject({ ok: true, outcome: 'promoted' });
    expect(r.reads).toBe(2);
  });

  it('refuses a second canary, naming who runs it since when; nothing is written', async () => {
    const r = await rig([{ requests: 100, failures: 0 }]);
    let second: Awaited<ReturnType<typeof runCanary>> | undefined;
    r.onSleep = async () => {
      if (second) return;
      second = await runCanary({ ...r.ctx, sleep: async () => undefined }, OPTIONS, { ...r.rt, pid: 7 });
    };
    const first = await runCanary(r.ctx, { ...OPTIONS, steps: [100] }, r.rt);
    expect(first.ok).toBe(true);
    expect(second).toMatchObject({ ok: false, outcome: 'failed' });
    expect(second?.error?.message).toMatch(/a canary is already running: pid 4242 on test-host since 1970-01-01T00:16:40.000Z, step 1\/1/);
    expect(second?.canarySteps).toEqual([]);
  });

  it('stops with "aborted" when bluegreen abort clears its key; weights 100/0, live unchanged', async () => {
    const r = await rig([{ requests: 100, failures: 0 }]);
    let aborted = false;
    r.onSleep = async (now) => {
      if (!aborted && now > 1_000_000 + 15_000) {
        aborted = true;
        await abortCanary(r.store, r.ctx.keys, 'shop');
      }
    };
    const res = await runCanary(r.ctx, OPTIONS, r.rt);
    expect(res).toMatchObject({ ok: false, outcome: 'aborted', live: 'blue', weights: { blue: 100, green: 0 } });
    expect(res.error?.message).toMatch(/aborted/);
    // Noticed during step 2's interval (within a poll), not at the next write: step 2 was never read.
    expect(r.reads).toBe(1);
    expect(r.clock.now - 1_000_000).toBeLessThan(15_000 + 2 * r.rt.pollMs);
    expect(keys(r)).toEqual({ '/apps/shop/live': 'blue', '/apps/shop/weight/blue': '100', '/apps/shop/weight/green': '0' });
  });

  it('puts the weights back and stops on a signal', async () => {
    const r = await rig([{ requests: 100, failures: 0 }]);
    r.onSleep = (now) => {
      if (now > 1_000_000 + 12_000) r.controller.abort('SIGTERM');
    };
    const res = await runCanary(r.ctx, OPTIONS, r.rt);
    expect(res).toMatchObject({ ok: false, outcome: 'interrupted', live: 'blue', weights: { blue: 100, green: 0 } });
    expect(res.error?.message).toMatch(/interrupted by SIGTERM/);
    expect(r.reads).toBe(1);
    expect(keys(r)).toEqual({ '/apps/shop/live': 'blue', '/apps/shop/weight/blue': '100', '/apps/shop/weight/green': '0' });
  });

  it('keeps trying to put the weights back for a bounded time when the store is lost, then names the failure', async () => {
    const r = await rig([{ requests: 100, failures: 0 }]);
    r.onSleep = (now) => {
      if (now > 1_000_000 + 3_000) r.store.down = true;
    };
    const res = await runCanary(r.ctx, OPTIONS, r.rt);
    expect(res).toMatchObject({ ok: false, outcome: 'failed' });
    expect(res.weights).toBeUndefined();
    expect(res.error?.message).toMatch(/the store was lost while measuring: memory store at memory: unreachable; then could not put the weights back to blue 100 after 3 attempts/);
    expect(res.error?.message).toMatch(/\/apps\/shop\/weight\/green may still send 10% to green/);
    expect(r.ctx.lines.filter((l) => /putting the weights back failed/.test(l))).toHaveLength(3);
  });

  it('gets the weights back when the store returns during the retries', async () => {
    const r = await rig([{ requests: 100, failures: 0 }]);
    let downAt = 0;
    r.onSleep = (now) => {
      if (!downAt && now > 1_000_000 + 3_000) {
        downAt = now;
        r.store.down = true;
      }
      if (downAt && now > downAt + 1_200) r.store.down = false;
    };
    const res = await runCanary(r.ctx, OPTIONS, r.rt);
    expect(res).toMatchObject({ ok: false, outcome: 'rolled-back', weights: { blue: 100, green: 0 } });
    expect(keys(r)).toEqual({ '/apps/shop/live': 'blue', '/apps/shop/weight/blue': '100', '/apps/shop/weight/green': '0' });
  });

  it('with --converge, waits for the fleet on the weight key after each write; not converged rolls back naming the hosts', async () => {
    const r = await rig([{ requests: 100, failures: 0 }]);
    const asked: string[] = [];
    r.ctx.converge = async (key) => {
      asked.push(key);
      return asked.length < 2 ? { ok: true, message: '2/2 hosts applied revision 7' } : { ok: false, message: '1/2 hosts applied revision 9, needed 2; not converged: web-2: not reporting' };
    };
    const res = await runCanary(r.ctx, OPTIONS, r.rt);
    expect(asked).toEqual(['/apps/shop/weight/green', '/apps/shop/weight/green']);
    expect(res).toMatchObject({ ok: false, outcome: 'rolled-back', live: 'blue', weights: { blue: 100, green: 0 } });
    expect(res.error).toMatchObject({ step: 'converge', message: expect.stringMatching(/not converged: web-2: not reporting/) as unknown });
    expect(r.reads).toBe(1);
  });

  it('refuses an unhealthy new color before any weight is written', async () => {
    const r = await rig([{ requests: 100, failures: 0 }], false);
    const res = await runCanary(r.ctx, OPTIONS, r.rt);
    expect(res).toMatchObject({ ok: false, outcome: 'failed', live: 'blue' });
    expect(res.error?.message).toMatch(/green is not healthy/);
    expect(r.store.log).toEqual([]);
  });
});
