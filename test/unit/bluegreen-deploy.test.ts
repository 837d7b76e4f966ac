import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deploy } from '../../src/bluegreen/deploy.js';
import { rollback } from '../../src/bluegreen/rollback.js';
import { startShop, type ColorServer, type FakeHost, type MemoryBackend } from './bluegreen-helpers.js';

let host: FakeHost;
let backend: MemoryBackend;
let blue: ColorServer;
let green: ColorServer;

beforeEach(async () => {
  ({ host, backend, blue, green } = await startShop(['blue']));
});
afterEach(async () => host.stop());

describe('deploy', () => {
  it('starts the idle color, waits for health, switches, verifies, drains, stops the old color', async () => {
    const proxy = await host.startProxy(backend, '/apps/shop/live');
    const ctx = host.context(backend, { verifyUrl: proxy.url });
    ctx.timing.drainMs = 4_000;
    const result = await deploy(ctx);
    expect(result).toMatchObject({ ok: true, from: 'blue', live: 'green' });
    expect(result.steps.map((s) => s.step)).toEqual(['read', 'start', 'health', 'switch', 'verify', 'drain', 'stop']);
    expect(await host.calls()).toEqual([`is-active ${green.unit}`, `start ${green.unit}`, `stop ${blue.unit}`]);
    expect(ctx.slept).toEqual([4_000]);
    expect(host.unitState(blue.unit)).toBe('inactive');
    expect(backend.values.get('/apps/shop/previous')).toBe('blue');
    const printed = ctx.lines.join('\n');
    for (const step of [`systemctl start ${green.unit}`, 'is healthy', '/apps/shop/live = green', `serves green`, 'drain blue for 4s', `systemctl stop ${blue.unit}`]) {
      expect(printed).toContain(step);
    }
  });

  it('restarts an idle color that is still running, so it runs the new version', async () => {
    await host.setUnit(green.unit, 'active');
    const result = await deploy(host.context(backend));
    expect(result.ok).toBe(true);
    expect(await host.calls()).toContain(`restart ${green.unit}`);
  });

  it('failing at the health step leaves live unchanged and names the step', async () => {
    green.sick = true;
    const ctx = host.context(backend);
    ctx.timing.healthTimeoutMs = 300;
    const result = await deploy(ctx);
    expect(result).toMatchObject({ ok: false, live: 'blue', error: { step: 'health' } });
    expect(result.error?.message).toContain('not healthy after 0.3s: status 503');
    expect(backend.log).toEqual([]);
    expect(await host.calls()).not.toContain(`stop ${blue.unit}`);
    expect(ctx.lines.join('\n')).toContain('FAILED: green at http://');
  });

  it('failing to start the unit leaves live unchanged', async () => {
    await host.failVerb('start', 'Job for green@x.service failed.');
    const result = await deploy(host.context(backend));
    expect(result).toMatchObject({ ok: false, live: 'blue', error: { step: 'start' } });
    expect(result.error?.message).toContain('Job for green@x.service failed.');
    expect(backend.log).toEqual([]);
  });

  it('a proxy that does not follow puts live back on the old color and keeps it running', async () => {
    const proxy = await host.startProxy(backend, '/apps/shop/live');
    proxy.stuckOn = 'blue';
    const ctx = host.context(backend, { verifyUrl: proxy.url });
    ctx.timing.verifyTimeoutMs = 300;
    const result = await deploy(ctx);
    expect(result).toMatchObject({ ok: false, live: 'blue', error: { step: 'verify' } });
    expect(backend.values.get('/apps/shop/live')).toBe('blue');
    expect(host.unitState(blue.unit)).toBe('active');
    expect(ctx.slept).toEqual([]);
  });

  it('a failed stop of the old color is reported; the verified switch stands', async () => {
    await host.failVerb('stop', 'Failed to stop');
    const result = await deploy(host.context(backend));
    expect(result).toMatchObject({ ok: false, live: 'green', error: { step: 'stop' } });
  });

  it('needs a live color', async () => {
    backend.values.delete('/apps/shop/live');
    const result = await deploy(host.context(backend));
    expect(result.error?.step).toBe('read');
    expect(await host.calls()).toEqual([]);
  });
});

describe('rollback', () => {
  beforeEach(() => {
    backend.values.set('/apps/shop/live', 'green');
    backend.values.set('/apps/shop/previous', 'blue');
  });

  it('starts the previous color when it is stopped, checks its health and switches back', async () => {
    await host.setUnit(blue.unit, 'inactive');
    await host.setUnit(green.unit, 'active');
    const proxy = await host.startProxy(backend, '/apps/shop/live');
    const result = await rollback(host.context(backend, { verifyUrl: proxy.url }));
    expect(result).toMatchObject({ ok: true, from: 'green', live: 'blue' });
    expect(await host.calls()).toEqual([`is-active ${blue.unit}`, `start ${blue.unit}`]);
    expect(backend.values.get('/apps/shop/previous')).toBe('green');
    expect(host.unitState(green.unit)).toBe('active');
  });

  it('does not restart a previous color that is running', async () => {
    const result = await rollback(host.context(backend));
    expect(result.ok).toBe(true);
    expect(await host.calls()).toEqual([`is-active ${blue.unit}`]);
  });

  it('refuses when the previous color stays unhealthy, even with --force', async () => {
    blue.sick = true;
    const ctx = host.context(backend, { force: true });
    ctx.timing.healthTimeoutMs = 200;
    const result = await rollback(ctx);
    expect(result).toMatchObject({ ok: false, live: 'green', error: { step: 'health' } });
    expect(backend.log).toEqual([]);
  });

  it('says when there is nothing to roll back to', async () => {
    backend.values.delete('/apps/shop/previous');
    const result = await rollback(host.context(backend));
    expect(result.error?.message).toContain('/apps/shop/previous is not set');
  });

  it('without systemd it does not try to start units and relies on the health check', async () => {
    const ctx = host.context(backend);
    const unknown = { ...ctx.systemctl, isActive: async () => 'unknown', start: async () => Promise.reject(new Error('no systemd')) };
    const result = await rollback({ ...ctx, systemctl: unknown });
    expect(result.ok).toBe(true);
    expect(ctx.lines.join('\n')).toContain('unknown (no systemd?); not starting it');
  });
});
