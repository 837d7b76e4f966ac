import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAddr, unitName } from '../../src/bluegreen/addr.js';
import { formatStatus, getStatus } from '../../src/bluegreen/status.js';
import { servedColor } from '../../src/bluegreen/verify.js';
import { createMemoryBackend, startFakeHost, type FakeHost } from './bluegreen-helpers.js';

let host: FakeHost;
beforeEach(async () => {
  host = await startFakeHost();
});
afterEach(async () => host.stop());

describe('status', () => {
  it('shows the live color, both addresses, unit states and health', async () => {
    const blue = await host.startColor('blue');
    const green = await host.startColor('green');
    await host.setUnit(blue.unit, 'active');
    await host.setUnit(green.unit, 'failed');
    const backend = createMemoryBackend({
      '/apps/shop/live': 'blue',
      '/apps/shop/previous': 'green',
      '/apps/shop/blue/addr': blue.addr,
      '/apps/shop/green/addr': green.addr,
    });
    const report = await getStatus(host.context(backend));
    expect(report).toMatchObject({ app: 'shop', live: 'blue', previous: 'green', healthPath: '/health' });
    expect(report.colors[0]).toMatchObject({ color: 'blue', live: true, addr: blue.addr, unit: blue.unit, unitState: 'active', health: { healthy: true, status: 200 } });
    expect(report.colors[1]).toMatchObject({ color: 'green', live: false, unitState: 'failed', health: { healthy: false, status: 503 } });
    const text = formatStatus(report);
    expect(text).toMatch(/^app shop {3}live: blue {3}previous: green {3}health path: \/health\n/);
    expect(text).toMatch(new RegExp(`blue +\\* +${blue.addr} +${blue.unit.replace('.', '\\.')} +active +healthy \\(200\\)`));
    expect(text).toMatch(/green +127\.0\.0\.1:\d+ +green@\d+\.service +failed +unhealthy: status 503/);
  });

  it('reads the health path from the store unless a flag overrides it', async () => {
    const backend = createMemoryBackend({ '/apps/shop/health': '/ready' });
    expect((await getStatus(host.context(backend))).healthPath).toBe('/ready');
    expect((await getStatus(host.context(backend, { healthPath: '/alive' }))).healthPath).toBe('/alive');
  });

  it('reports unset addresses and an unknown unit state without failing', async () => {
    const ctx = host.context(createMemoryBackend({}));
    const report = await getStatus({ ...ctx, systemctl: { ...ctx.systemctl, isActive: async () => 'unknown' } });
    expect(report.live).toBeUndefined();
    expect(report.colors[1]).toEqual({ color: 'green', live: false, unitState: 'unknown', health: { healthy: false, error: 'no address set' } });
    expect(formatStatus(report)).toContain('live: (unset)');
  });

  it('says unknown when systemctl prints nothing (no systemd) or is missing', async () => {
    const { createSystemctl } = await import('../../src/bluegreen/systemctl.js');
    expect(await createSystemctl({ program: '/bin/true' }).isActive('blue@1.service')).toBe('unknown');
    expect(await createSystemctl({ program: '/nonexistent/systemctl' }).isActive('blue@1.service')).toBe('unknown');
    await expect(createSystemctl({ program: '/nonexistent/systemctl' }).start('blue@1.service')).rejects.toThrow(/systemctl start blue@1\.service: /);
  });
});

describe('addresses and the color convention', () => {
  it('parses host:port and names the unit by port', () => {
    expect(parseAddr('127.0.0.1:9001')).toEqual({ host: '127.0.0.1', port: 9001 });
    expect(parseAddr('[::1]:9002')).toEqual({ host: '[::1]', port: 9002 });
    expect(parseAddr('app.internal:80')).toEqual({ host: 'app.internal', port: 80 });
    for (const bad of ['9001', '127.0.0.1:0', '127.0.0.1:70000', 'a b:1', '1.2.3.4:80; }']) expect(parseAddr(bad)).toBeUndefined();
    expect(unitName('green', { host: '127.0.0.1', port: 9002 })).toBe('green@9002.service');
  });

  it('identifies a color by X-Color, else by the body naming exactly one color', () => {
    const res = (body: string, color?: string) => ({ status: 200, headers: color ? { 'x-color': color } : {}, body });
    expect(servedColor(res('whatever', 'Green'))).toBe('green');
    expect(servedColor(res('blue 3\n'))).toBe('blue');
    expect(servedColor(res('<h1>GREEN</h1>'))).toBe('green');
    expect(servedColor(res('blueberry'))).toBeUndefined();
    expect(servedColor(res('blue or green'))).toBeUndefined();
  });
});
