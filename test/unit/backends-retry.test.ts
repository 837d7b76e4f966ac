import { describe, expect, it, vi } from 'vitest';
import { createBackoff, createErrorThrottle, createSleeper, withTimeout } from '../../src/backends/retry.js';

describe('createBackoff', () => {
  it('grows exponentially to the cap, with jitter between half and all of the step', () => {
    const low = createBackoff(100, 1000, () => 0);
    expect([low.next(), low.next(), low.next(), low.next(), low.next()]).toEqual([50, 100, 200, 400, 500]);
    const high = createBackoff(100, 1000, () => 1);
    expect([high.next(), high.next(), high.next(), high.next(), high.next()]).toEqual([100, 200, 400, 800, 1000]);
  });

  it('starts over after reset()', () => {
    const b = createBackoff(100, 1000, () => 1);
    b.next();
    b.next();
    b.reset();
    expect(b.next()).toBe(100);
  });
});

describe('createErrorThrottle', () => {
  it('passes the same message once per interval and different messages at once', () => {
    let now = 0;
    const seen: string[] = [];
    const report = createErrorThrottle((e) => seen.push(e.message), 1000, () => now);
    report(new Error('down'));
    report(new Error('down'));
    report(new Error('other'));
    now = 999;
    report(new Error('down'));
    now = 1000;
    report(new Error('down'));
    expect(seen).toEqual(['down', 'other', 'down']);
  });
});

describe('withTimeout', () => {
  it('rejects with the given error when the promise is too slow, and clears its timer', async () => {
    vi.useFakeTimers();
    try {
      const slow = new Promise<string>(() => undefined);
      const pending = withTimeout(slow, 500, () => new Error('too slow'));
      vi.advanceTimersByTime(500);
      await expect(pending).rejects.toThrow('too slow');
      await expect(withTimeout(Promise.resolve('ok'), 500, () => new Error('x'))).resolves.toBe('ok');
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('createSleeper', () => {
  it('wakes every sleeper at once and leaves no timer', async () => {
    vi.useFakeTimers();
    try {
      const sleeper = createSleeper();
      let woke = 0;
      const sleeps = [sleeper.sleep(60_000), sleeper.sleep(60_000)].map((p) => p.then(() => (woke += 1)));
      sleeper.wake();
      await Promise.all(sleeps);
      expect(woke).toBe(2);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
