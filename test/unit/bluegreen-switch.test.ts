import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { switchColor } from '../../src/bluegreen/switch.js';
import { toggle } from '../../src/bluegreen/toggle.js';
import { startShop, type ColorServer, type FakeHost, type MemoryBackend } from './bluegreen-helpers.js';

let host: FakeHost;
let backend: MemoryBackend;
let blue: ColorServer;
let green: ColorServer;

beforeEach(async () => {
  ({ host, backend, blue, green } = await startShop(['blue', 'green']));
});
afterEach(async () => host.stop());

describe('switch', () => {
  it('makes a healthy color live and remembers the previous one', async () => {
    const ctx = host.context(backend);
    const result = await switchColor(ctx, 'green');
    expect(result).toMatchObject({ ok: true, from: 'blue', live: 'green' });
    expect(backend.values.get('/apps/shop/live')).toBe('green');
    expect(backend.values.get('/apps/shop/previous')).toBe('blue');
    expect(ctx.lines.join('\n')).toContain('verify through the proxy skipped');
  });

  it('refuses an unhealthy target and leaves live alone', async () => {
    green.sick = true;
    const result = await switchColor(host.context(backend), 'green');
    expect(result.ok).toBe(false);
    expect(result.error?.step).toBe('health');
    expect(result.error?.message).toContain('--force');
    expect(result.live).toBe('blue');
    expect(backend.log).toEqual([]);
  });

  it('switches to an unhealthy target with --force, saying so', async () => {
    green.sick = true;
    const ctx = host.context(backend, { force: true });
    const result = await switchColor(ctx, 'green');
    expect(result.ok).toBe(true);
    expect(backend.values.get('/apps/shop/live')).toBe('green');
    expect(ctx.lines.join('\n')).toMatch(/not healthy \(status 503\); switching anyway/);
  });

  it('refuses a color whose address is missing or malformed', async () => {
    backend.values.set('/apps/shop/green/addr', '9002; } server {');
    const result = await switchColor(host.context(backend), 'green');
    expect(result.error).toEqual({ step: 'addr', message: expect.stringContaining('expected host:port') });
    backend.values.delete('/apps/shop/green/addr');
    expect((await switchColor(host.context(backend), 'green')).error?.message).toContain('/apps/shop/green/addr is not set');
    expect(backend.log).toEqual([]);
  });

  it('does nothing when the color is already live', async () => {
    const ctx = host.context(backend);
    const result = await switchColor(ctx, 'blue');
    expect(result).toMatchObject({ ok: true, live: 'blue' });
    expect(backend.log).toEqual([]);
    expect(ctx.lines.join('\n')).toContain('blue is already live');
  });

  it('waits until the proxy serves the new color', async () => {
    const proxy = await host.startProxy(backend, '/apps/shop/live');
    const ctx = host.context(backend, { verifyUrl: proxy.url });
    const result = await switchColor(ctx, 'green');
    expect(result.ok).toBe(true);
    expect(result.steps.map((s) => s.step)).toEqual(['read', 'health', 'switch', 'verify']);
  });

  it('puts live back when the proxy does not follow, and says so', async () => {
    const proxy = await host.startProxy(backend, '/apps/shop/live');
    proxy.stuckOn = 'blue';
    const ctx = host.context(backend, { verifyUrl: proxy.url });
    ctx.timing.verifyTimeoutMs = 300;
    const result = await switchColor(ctx, 'green');
    expect(result.ok).toBe(false);
    expect(result.error?.step).toBe('verify');
    expect(result.error?.message).toContain(`${proxy.url} did not serve green within 0.3s (last answer: blue)`);
    expect(result.live).toBe('blue');
    expect(backend.values.get('/apps/shop/live')).toBe('blue');
    expect(backend.log).toEqual([
      'put /apps/shop/previous blue',
      'put /apps/shop/live green',
      'put /apps/shop/live blue',
      'delete /apps/shop/previous',
    ]);
  });

  it('says so when putting live back fails too', async () => {
    const proxy = await host.startProxy(backend, '/apps/shop/live');
    proxy.stuckOn = 'blue';
    const put = backend.put!;
    backend.put = async (key, value) => (value === 'blue' && key.endsWith('/live') ? Promise.reject(new Error('store gone')) : put(key, value));
    const ctx = host.context(backend, { verifyUrl: proxy.url });
    ctx.timing.verifyTimeoutMs = 200;
    const result = await switchColor(ctx, 'green');
    expect(result).toMatchObject({ ok: false, live: 'green', error: { step: 'restore' } });
    expect(result.error?.message).toMatch(/did not serve green.*; then shop: restore failed: putting \/apps\/shop\/live back: store gone/);
  });

  it('rejects a live key that is neither blue nor green', async () => {
    backend.values.set('/apps/shop/live', 'purple');
    const result = await switchColor(host.context(backend), 'green');
    expect(result.error).toEqual({ step: 'read', message: 'shop: read failed: /apps/shop/live is "purple", expected blue or green' });
  });

  it('reports a backend that cannot write', async () => {
    const readOnly = { ...backend, put: undefined };
    const result = await switchColor(host.context(readOnly), 'green');
    expect(result.error?.message).toContain('the memory backend cannot write keys');
  });
});

describe('toggle', () => {
  it('switches to the other color each time', async () => {
    expect((await toggle(host.context(backend))).live).toBe('green');
    expect((await toggle(host.context(backend))).live).toBe('blue');
    expect(backend.values.get('/apps/shop/previous')).toBe('green');
  });

  it('needs a live color to start from', async () => {
    backend.values.delete('/apps/shop/live');
    const result = await toggle(host.context(backend));
    expect(result.error?.message).toContain('/apps/shop/live is not set');
  });

  it('refuses an unhealthy other color', async () => {
    await host.setUnit(green.unit, 'inactive');
    const result = await toggle(host.context(backend));
    expect(result).toMatchObject({ ok: false, live: 'blue', error: { step: 'health' } });
  });
});

describe('switch --converge', () => {
  /** A converge that fails with `applied` having applied the switch, and a return wait that records its calls. */
  const gates = (applied: string[], back: { ok: boolean; message: string }) => {
    const calls: string[] = [];
    return {
      calls,
      converge: async () => ({ ok: false, message: '1/2 hosts applied revision 7 within 1s, needed 2; not converged: h2: not reporting', applied }),
      convergeBack: async (key: string, hosts: readonly string[]) => {
        calls.push(`${key} ${hosts.join(',')} live=${backend.values.get(key)}`);
        return back;
      },
    };
  };

  it('after putting live back, waits for the hosts that applied the switch to apply the old color, and says so', async () => {
    const g = gates(['h1'], { ok: true, message: '1/1 hosts that had applied the new value applied revision 9 (h1)' });
    const ctx = host.context(backend, { converge: g.converge, convergeBack: g.convergeBack });
    const result = await switchColor(ctx, 'green');
    expect(g.calls).toEqual(['/apps/shop/live h1 live=blue']);
    expect(result).toMatchObject({ ok: false, live: 'blue', error: { step: 'converge' } });
    expect(result.error?.message).toBe(
      'shop: converge failed: 1/2 hosts applied revision 7 within 1s, needed 2; not converged: h2: not reporting; live put back to blue: 1/1 hosts that had applied the new value applied revision 9 (h1)',
    );
    expect(result.steps.map((s) => `${s.step} ${s.ok}`)).toEqual(['read true', 'health true', 'switch true', 'converge false', 'restore true', 'return true']);
    expect(ctx.lines.join('\n')).toContain('-> wait until h1 applied /apps/shop/live = blue again');
  });

  it('names the hosts that did not return', async () => {
    const g = gates(['h1', 'h3'], { ok: false, message: '1/2 hosts that had applied the new value applied revision 9 (h1) within 1s; not returned: h3: not reporting' });
    const result = await switchColor(host.context(backend, { converge: g.converge, convergeBack: g.convergeBack }), 'green');
    expect(result.error?.message).toMatch(/; live put back to blue: 1\/2 hosts .* \(h1\) within 1s; not returned: h3: not reporting$/);
    expect(result.steps.at(-1)).toMatchObject({ step: 'return', ok: false });
    expect(backend.values.get('/apps/shop/live')).toBe('blue');
  });

  it('does not wait, nor claim anything about the hosts, when the wait itself failed', async () => {
    const g = gates(['h1'], { ok: true, message: 'unused' });
    const converge = async (): Promise<never> => {
      throw new Error('etcd unreachable');
    };
    const result = await switchColor(host.context(backend, { converge, convergeBack: g.convergeBack }), 'green');
    expect(g.calls).toEqual([]);
    expect(result.error?.message).toBe('shop: converge failed: etcd unreachable');
    expect(backend.values.get('/apps/shop/live')).toBe('blue');
  });

  it('has nothing to wait for when no host applied the switch', async () => {
    const g = gates([], { ok: true, message: 'unused' });
    const result = await switchColor(host.context(backend, { converge: g.converge, convergeBack: g.convergeBack }), 'green');
    expect(g.calls).toEqual([]);
    expect(result.error?.message).toMatch(/; live put back to blue: no host had applied the switch$/);
  });
});
