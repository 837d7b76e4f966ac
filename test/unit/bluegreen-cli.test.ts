import yargs from 'yargs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBluegreenCommand } from '../../src/cli/bluegreen.js';
import { createMemoryBackend, FAKE_SYSTEMCTL, startFakeHost, type FakeHost, type MemoryBackend } from './bluegreen-helpers.js';

let host: FakeHost;
let backend: MemoryBackend;

interface Run {
  code: number | undefined;
  stdout: string;
  stderr: string;
  backendArgs: unknown[];
}

const run = async (args: string[]): Promise<Run> => {
  const out: Run = { code: undefined, stdout: '', stderr: '', backendArgs: [] };
  const command = createBluegreenCommand({
    loadBackend: async (name, options) => {
      out.backendArgs.push(name, options);
      return backend;
    },
    stdout: (t) => void (out.stdout += t),
    stderr: (t) => void (out.stderr += t),
    exit: (code) => void (out.code = code),
    env: { PATH: process.env.PATH, SWITCHYARD_SYSTEMCTL: FAKE_SYSTEMCTL, FAKE_SYSTEMCTL_DIR: host.dir },
  });
  // Like the main program's fail handler (which exits 2), a usage error stops the run before any handler.
  const usage = new Error('usage');
  try {
    await yargs(args)
      .command(command)
      .strict()
      .exitProcess(false)
      .fail((msg, err) => {
        if (err) throw err;
        out.stderr += msg;
        throw usage;
      })
      .parseAsync();
  } catch (err) {
    if (err !== usage) throw err;
    out.code = 2;
  }
  return out;
};

beforeEach(async () => {
  host = await startFakeHost();
  const blue = await host.startColor('blue');
  const green = await host.startColor('green');
  await host.setUnit(blue.unit, 'active');
  await host.setUnit(green.unit, 'active');
  backend = createMemoryBackend({ '/live': 'blue', '/shop/live': 'blue', '/shop/blue/addr': blue.addr, '/shop/green/addr': green.addr });
});
afterEach(async () => host.stop());

describe('switchyard bluegreen', () => {
  it('status prints a table, or JSON with --json, and exits 0', async () => {
    const text = await run(['bluegreen', 'status', '--app', 'shop']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('app shop   live: blue');
    const json = await run(['bluegreen', 'status', '--app', 'shop', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ app: 'shop', live: 'blue', colors: [{ color: 'blue' }, { color: 'green' }] });
  });

  it('passes backend flags through to loadBackend', async () => {
    const r = await run(['bluegreen', 'status', '--app', 'shop', '--backend', 'consul', '--node', 'http://a:1', '--node', 'http://b:2', '--auth-token', 'tok']);
    expect(r.backendArgs[0]).toBe('consul');
    expect(r.backendArgs[1]).toMatchObject({ nodes: ['http://a:1', 'http://b:2'], authToken: 'tok' });
  });

  it('switch prints each step and exits 0; --prefix picks the keys', async () => {
    backend.values.set('/p/shop/live', 'green');
    const r = await run(['bluegreen', 'switch', 'green', '--app', 'shop']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('-> set /shop/live = green');
    expect(r.stdout).toContain('switch ok: green is live');
    const p = await run(['bluegreen', 'switch', 'green', '--app', 'shop', '--prefix', '/p']);
    expect(p.stdout).toContain('green is already live');
  });

  it('a refused switch exits 1 and says where traffic stays', async () => {
    backend.values.set('/shop/green/addr', '127.0.0.1:1');
    const r = await run(['bluegreen', 'toggle', '--app', 'shop', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, live: 'blue', error: { step: 'health' } });
    expect(r.stderr).toContain('-> check green health');
    const text = await run(['bluegreen', 'toggle', '--app', 'shop']);
    expect(text.stdout).toMatch(/toggle FAILED at health: shop: health failed: green is not healthy .*\nlive is blue \(unchanged\)/);
  });

  it('usage errors exit 2', async () => {
    expect((await run(['bluegreen', 'switch', 'purple', '--app', 'shop'])).code).toBe(2);
    expect((await run(['bluegreen', 'status'])).code).toBe(2);
    expect((await run(['bluegreen', '--app', 'shop'])).code).toBe(2);
    const bad = await run(['bluegreen', 'deploy', '--app', 'shop', '--drain', '-1']);
    expect(bad.code).toBe(2);
    expect((await run(['bluegreen', 'status', '--app', 'shop', '--backend', 'zookeeper'])).code).toBe(2);
  });

  it('an unreadable store exits 1', async () => {
    backend.getValues = async () => Promise.reject(new Error('etcd at http://127.0.0.1:1: connection refused'));
    const r = await run(['bluegreen', 'status', '--app', 'shop']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('shop: read failed: etcd at http://127.0.0.1:1: connection refused');
  });
});
