import { describe, expect, it } from 'vitest';
import { createEndpointHealth } from '../../src/backends/endpoint-health/health.js';
import { createLatencyWindow } from '../../src/backends/endpoint-health/latency.js';
import { raceEndpoints, type RaceOptions } from '../../src/backends/endpoint-health/race.js';
import { createAgentMonitor } from '../../src/backends/consul/agent-monitor.js';
import { createLogger } from '../../src/log.js';

const A = 'http://a:2379';
const B = 'http://b:2379';
const C = 'http://c:2379';

const setup = (options: { hedge?: { minSamples?: number } } = {}) => {
  let now = 0;
  const lines: string[] = [];
  const logger = createLogger({ write: (l) => lines.push(l) });
  const health = createEndpointHealth([A, B, C], { kind: 'etcd member', logger, now: () => now, first: 0, cooldownMs: [1000, 8000], ...options });
  return { health, lines, advance: (ms: number) => (now += ms), at: () => now };
};

describe('createLatencyWindow', () => {
  it('keeps the last samples and gives their quantiles', () => {
    const w = createLatencyWindow(4);
    expect(w.quantile(0.5)).toBeUndefined();
    for (const ms of [100, 1, 2, 3, 4]) w.add(ms);
    expect(w.count()).toBe(4);
    expect(w.quantile(0.99)).toBe(4);
    expect(w.quantile(0.5)).toBe(2);
  });
});

describe('createEndpointHealth', () => {
  it('derives the hedge delay from p99 × 2 within its floor and cap, with an initial delay until enough answers', () => {
    const { health } = setup();
    expect(health.hedgeDelayMs(A)).toBe(250);
    for (let i = 0; i < 20; i++) health.succeeded(A, 10);
    expect(health.hedgeDelayMs(A)).toBe(75);
    for (let i = 0; i < 20; i++) health.succeeded(A, 100);
    expect(health.hedgeDelayMs(A)).toBe(200);
    for (let i = 0; i < 100; i++) health.succeeded(A, 900);
    expect(health.hedgeDelayMs(A)).toBe(500);
    expect(health.stallMs(A)).toBe(1000);
  });

  it('orders the preferred endpoint first, then the others by answer time, then the down ones', () => {
    const { health } = setup();
    health.succeeded(B, 50);
    health.succeeded(C, 5);
    expect(health.order()).toEqual([A, C, B]);
    health.failed(A, 'deadline exceeded');
    expect(health.order()).toEqual([C, B, A]);
    expect(health.report().find((r) => r.preferred)?.endpoint).toBe(C);
  });

  it('logs a member going down and coming back once per transition, naming it and the member used instead', () => {
    const { health, lines, advance } = setup();
    health.succeeded(B, 1);
    health.failed(A, 'no answer within 200 ms');
    health.failed(A, '4 DEADLINE_EXCEEDED');
    advance(10);
    health.succeeded(A, 5);
    health.succeeded(A, 5);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/WARN  etcd member http:\/\/a:2379 not answering \(no answer within 200 ms\); using http:\/\/b:2379/);
    expect(lines[1]).toMatch(/INFO  etcd member http:\/\/a:2379 answering again/);
  });

  it('takes an answer to a request sent before the member went down, read only after, as no sign that it is back', () => {
    const { health, lines, advance } = setup();
    advance(1000);
    // Sent at 1000, stalled at 1200 (marked down); its answer, already on its way, is read at 1250.
    advance(200);
    health.failed(A, 'no answer within 200 ms');
    advance(50);
    health.succeeded(A, 250);
    expect(health.isUp(A)).toBe(false);
    expect(lines).toHaveLength(1);
    // An answer to a request sent after the mark (a probe) brings it back, once.
    advance(1000);
    expect(health.takeProbe()).toBe(A);
    advance(20);
    health.succeeded(A, 20);
    expect(health.isUp(A)).toBe(true);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/answering again/);
    // An answer without a time (a long poll, an error the member gave) still counts.
    health.failed(A, 'stalled');
    health.succeeded(A);
    expect(health.isUp(A)).toBe(true);
  });

  it('probes a down member when its cool-down ran out; the cool-down doubles while probes fail, up to the cap, and resets on an answer', () => {
    const { health, advance } = setup();
    health.failed(A, 'down');
    expect(health.takeProbe()).toBeUndefined();
    const cooldowns: number[] = [];
    for (let i = 0; i < 5; i++) {
      const wait = health.report().find((r) => r.endpoint === A)!.retryInMs!;
      cooldowns.push(wait);
      advance(wait - 1);
      expect(health.takeProbe()).toBeUndefined();
      advance(1);
      expect(health.takeProbe()).toBe(A);
      // One probe at a time.
      expect(health.takeProbe()).toBeUndefined();
      health.failed(A, 'still down', true);
    }
    expect(cooldowns).toEqual([1000, 2000, 4000, 8000, 8000]);
    // Failures of requests sent before it went down do not grow it.
    health.failed(A, 'late deadline');
    expect(health.report().find((r) => r.endpoint === A)!.retryInMs).toBe(8000);
    advance(5);
    health.succeeded(A, 3);
    health.failed(A, 'down again');
    expect(health.report().find((r) => r.endpoint === A)!.retryInMs).toBe(1000);
  });

  it('prefers the endpoint a stream is on, and tells listeners when an endpoint goes down', () => {
    const { health } = setup();
    const release = health.use(B);
    expect(health.order()[0]).toBe(B);
    const down: string[] = [];
    health.onDown((e) => down.push(e));
    health.failed(B, 'stalled');
    expect(down).toEqual([B]);
    expect(health.order()[0]).toBe(A);
    release();
  });
});

describe('raceEndpoints', () => {
  const transient = (err: unknown): boolean => err instanceof Error && err.message.startsWith('14');
  const options = (health: ReturnType<typeof setup>['health'], hedge = true): RaceOptions => ({
    health,
    hedge,
    isTransient: transient,
    describe: (e) => (e as Error).message,
  });
  const never = new Promise<string>(() => undefined);
  const after = <T>(ms: number, value: T): Promise<T> => new Promise((r) => setTimeout(() => r(value), ms));

  it('asks the next member when the preferred one has not answered within the hedge delay, and marks the silent one down', async () => {
    const { health, lines } = setup();
    for (const e of [A, B, C]) for (let i = 0; i < 10; i++) health.succeeded(e, 1);
    const asked: string[] = [];
    const started = Date.now();
    const value = await raceEndpoints(options(health), (e) => {
      asked.push(e);
      return e === A ? never : after(5, `from ${e}`);
    });
    expect(value).toMatch(/^from /);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(asked[0]).toBe(A);
    await new Promise((r) => setTimeout(r, health.stallMs(A) + 50));
    expect(health.isUp(A)).toBe(false);
    expect(lines.filter((l) => l.includes('not answering'))).toHaveLength(1);
    // The next read goes elsewhere first.
    asked.length = 0;
    await raceEndpoints(options(health), (e) => {
      asked.push(e);
      return after(1, e);
    });
    expect(asked[0]).not.toBe(A);
  });

  it('moves on at once after a transport failure, and rejects with an answer that speaks for the cluster', async () => {
    const { health } = setup();
    await expect(raceEndpoints(options(health), (e) => (e === A ? Promise.reject(new Error('14 UNAVAILABLE')) : after(1, e)))).resolves.toBe(B);
    await expect(raceEndpoints(options(health), () => Promise.reject(new Error('permission denied')))).rejects.toThrow('permission denied');
    await expect(raceEndpoints(options(health), () => Promise.reject(new Error('14 UNAVAILABLE')))).rejects.toThrow('14 UNAVAILABLE');
  });

  it('does not hedge writes: the next member only after a failure', async () => {
    const { health } = setup();
    const asked: string[] = [];
    const value = await raceEndpoints(options(health, false), (e) => {
      asked.push(e);
      return after(400, e);
    });
    expect(value).toBe(A);
    expect(asked).toEqual([A]);
  });
});

describe('createAgentMonitor', () => {
  it('asks a watched agent on the side and marks it down when it stops answering; stops asking when released', async () => {
    const { health } = setup();
    let hung = false;
    const asked: string[] = [];
    const monitor = createAgentMonitor({
      health,
      everyMs: 20,
      probe: (url, timeoutMs) => {
        asked.push(url);
        return hung ? new Promise((_, reject) => setTimeout(() => reject(new Error(`asking for the raft leader timed out after ${timeoutMs} ms`)), timeoutMs)) : Promise.resolve();
      },
    });
    const down: string[] = [];
    health.onDown((e) => down.push(e));
    const release = monitor.watch(A);
    await new Promise((r) => setTimeout(r, 100));
    expect(asked.length).toBeGreaterThan(1);
    expect(new Set(asked)).toEqual(new Set([A]));
    hung = true;
    await new Promise((r) => setTimeout(r, 1000));
    expect(down).toEqual([A]);
    release();
    const count = asked.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(asked.length).toBe(count);
    monitor.close();
  });
});
