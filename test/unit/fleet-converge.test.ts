// The --converge waits on an in-memory fleet: hosts' reports as the store
// holds them, a clock that advances only when the wait sleeps.
import { describe, expect, it } from 'vitest';
import type { Backend, LeasedWrites } from '../../src/backends/backend.js';
import { filterUnder } from '../../src/backends/keys.js';
import { waitForConvergence, waitForReturn } from '../../src/fleet/converge.js';
import type { HostReport } from '../../src/fleet/report.js';

const LIVE = '/apps/shop/live';

/** Reports under /fleet/hosts; `tick` runs at every sleep of the wait, after the clock moved. */
const fleet = (liveRevision: number) => {
  const values = new Map<string, string>();
  let revision = liveRevision;
  let clock = 0;
  let tick: (ms: number) => void = () => undefined;
  const report = (host: string, rev: number, result: 'ok' | 'failed' = 'ok'): void => {
    const doc: HostReport = {
      host,
      time: new Date(0).toISOString(),
      resources: { 'shop.toml': { revision: String(rev), sha256: null, result, time: new Date(0).toISOString(), keys: ['/apps/shop'] } },
    };
    values.set(`/fleet/hosts/${host}`, JSON.stringify(doc));
  };
  const backend: Backend & LeasedWrites = {
    name: 'memory',
    endpoints: ['memory'],
    getValues: async (paths) => ({ values: filterUnder(values, paths) }),
    watch: async () => ({ close: async () => undefined }),
    close: async () => undefined,
    leasedKey: () => ({ set: async () => undefined, close: async () => undefined }),
    latestRevision: async () => String(revision),
  };
  const poll = {
    prefix: '/fleet',
    intervalMs: 250,
    now: () => clock,
    sleep: async (ms: number) => {
      clock += ms;
      tick(clock);
    },
  };
  return {
    backend,
    poll,
    report,
    gone: (host: string) => values.delete(`/fleet/hosts/${host}`),
    writeBack: (rev: number) => void (revision = rev),
    onTick: (fn: (clock: number) => void) => void (tick = fn),
    elapsed: () => clock,
  };
};

describe('waitForConvergence', () => {
  it('says which hosts applied the revision, also when too few did', async () => {
    const f = fleet(10);
    f.report('h1', 10);
    f.report('h2', 11);
    f.report('h3', 9);
    const res = await waitForConvergence(f.backend, LIVE, { ...f.poll, target: { all: true }, timeoutMs: 1000 });
    expect(res).toMatchObject({ ok: false, revision: '10', applied: ['h1', 'h2'] });
    expect(res.message).toMatch(/^2\/3 hosts applied revision 10 within 1s, needed 3; not converged: h3: behind \(shop\.toml at revision 9, needs 10\)$/);
  });
});

describe('waitForConvergence with a count above the reporting hosts', () => {
  it('says how many hosts report instead of an empty list', async () => {
    const f = fleet(10);
    f.report('h1', 10);
    const res = await waitForConvergence(f.backend, LIVE, { ...f.poll, target: { count: 2 }, timeoutMs: 500 });
    expect(res).toMatchObject({ ok: false, applied: ['h1'] });
    expect(res.message).toBe('1/1 hosts applied revision 10 within 0.5s, needed 2; only 1 reporting hosts read /apps/shop/live');
  });
});

describe('waitForReturn', () => {
  it('waits until every host that had applied the new value applied the write-back, and names them', async () => {
    const f = fleet(10);
    f.report('h1', 10);
    f.report('h2', 10);
    f.report('h3', 7); // never applied 10: not waited for
    f.writeBack(12);
    f.onTick((t) => {
      if (t === 500) f.report('h2', 12);
      if (t === 1000) f.report('h1', 13);
    });
    const res = await waitForReturn(f.backend, LIVE, { ...f.poll, hosts: ['h2', 'h1'], timeoutMs: 5000 });
    expect(res).toEqual({
      ok: true,
      revision: '12',
      returned: ['h1', 'h2'],
      notReturned: [],
      message: '2/2 hosts that had applied the new value applied revision 12 (h1, h2)',
    });
    expect(f.elapsed()).toBe(1000);
  });

  it('gives up at the timeout, naming the hosts that returned and why each other one did not', async () => {
    const f = fleet(10);
    f.report('h1', 10);
    f.report('h2', 10);
    f.report('h3', 10);
    f.writeBack(12);
    f.onTick((t) => {
      if (t === 250) f.report('h1', 12);
      if (t === 500) f.gone('h3');
    });
    const res = await waitForReturn(f.backend, LIVE, { ...f.poll, hosts: ['h1', 'h2', 'h3'], timeoutMs: 2000 });
    expect(res.ok).toBe(false);
    expect(res.returned).toEqual(['h1']);
    expect(res.notReturned).toEqual(['h2', 'h3']);
    expect(res.message).toBe(
      '1/3 hosts that had applied the new value applied revision 12 (h1) within 2s; not returned: h2: behind (shop.toml at revision 10, needs 12); h3: not reporting',
    );
    expect(f.elapsed()).toBe(2000);
  });

  it('does not count a host whose round on the write-back failed', async () => {
    const f = fleet(12);
    f.report('h1', 12, 'failed');
    const res = await waitForReturn(f.backend, LIVE, { ...f.poll, hosts: ['h1'], timeoutMs: 500 });
    expect(res.ok).toBe(false);
    expect(res.message).toMatch(/not returned: h1: shop\.toml: round failed$/);
  });
});
