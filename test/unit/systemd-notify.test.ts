import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { notifyReady, notifyStopping, startWatchdog, watchdogIntervalMs } from '../../src/systemd/notify.js';

const FAKE = join(import.meta.dirname, '../fixtures/fake-systemd-notify');
let dir = '';
let log = '';

const calls = async (): Promise<string[]> =>
  (await readFile(log, 'utf8').catch(() => '')).split('\n').filter((l) => l.length > 0);

const envWith = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  SWITCHYARD_SYSTEMD_NOTIFY: FAKE,
  FAKE_NOTIFY_LOG: log,
  ...extra,
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-notify-'));
  log = join(dir, 'calls');
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('sd_notify', () => {
  it('does nothing without NOTIFY_SOCKET', async () => {
    await notifyReady({ env: envWith({}) });
    await notifyStopping({ env: envWith({}) });
    expect(await calls()).toEqual([]);
  });

  it('sends READY=1 and STOPPING=1 with our pid', async () => {
    const env = envWith({ NOTIFY_SOCKET: '/run/systemd/notify' });
    await notifyReady({ env });
    await notifyStopping({ env });
    expect(await calls()).toEqual([`--pid=${process.pid} READY=1`, `--pid=${process.pid} STOPPING=1`]);
  });

  it('logs instead of throwing when the program fails', async () => {
    const lines: string[] = [];
    const { createLogger } = await import('../../src/log.js');
    const logger = createLogger({ write: (l) => lines.push(l) });
    await notifyReady({ env: envWith({ NOTIFY_SOCKET: '/x', SWITCHYARD_SYSTEMD_NOTIFY: join(dir, 'missing') }), logger });
    expect(lines.join('\n')).toContain('systemd notification failed');
  });
});

describe('watchdog', () => {
  it('pings at half of WATCHDOG_USEC, only for our pid', () => {
    const base = { NOTIFY_SOCKET: '/x', WATCHDOG_USEC: '30000000' };
    expect(watchdogIntervalMs(base)).toBe(15_000);
    expect(watchdogIntervalMs({ ...base, WATCHDOG_PID: String(process.pid) })).toBe(15_000);
    expect(watchdogIntervalMs({ ...base, WATCHDOG_PID: String(process.pid + 1) })).toBeUndefined();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000' })).toBeUndefined();
    expect(watchdogIntervalMs({ NOTIFY_SOCKET: '/x' })).toBeUndefined();
  });

  it('sends WATCHDOG=1 repeatedly until stopped, and not after', async () => {
    // Every 50 ms while it runs.
    const stop = startWatchdog({ env: envWith({ NOTIFY_SOCKET: '/x', WATCHDOG_USEC: '100000' }) });
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const deadline = Date.now() + 10_000;
    while ((await calls()).length < 2 && Date.now() < deadline) await pause(20);
    stop();
    const sent = await calls();
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(sent[0]).toBe(`--pid=${process.pid} WATCHDOG=1`);
    // A ping spawned just before stop() may still land; none may start after it.
    await pause(1000);
    const settled = (await calls()).length;
    await pause(1000); // 20 more intervals
    expect((await calls()).length).toBe(settled);
  });
});
