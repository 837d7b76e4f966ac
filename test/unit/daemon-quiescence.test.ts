import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseDuration, parseQuiescence } from '../../src/config/duration.js';
import { createBackoff } from '../../src/backends/retry.js';
import { createDebouncer } from '../../src/daemon/quiescence.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('durations', () => {
  it('parses units and MIN[:MAX]', () => {
    expect(parseDuration('200ms')).toBe(200);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('2')).toBe(2000);
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseQuiescence('1s')).toEqual({ minMs: 1000, maxMs: 4000 });
    expect(parseQuiescence('100ms:1s')).toEqual({ minMs: 100, maxMs: 1000 });
    expect(parseQuiescence('1s:100ms')).toMatch(/shorter/);
  });
});

describe('debouncer', () => {
  it('fires once after a burst settles', () => {
    const fire = vi.fn();
    const d = createDebouncer({ minMs: 100, maxMs: 1000 }, fire);
    for (let i = 0; i < 5; i++) {
      d.touch();
      vi.advanceTimersByTime(50);
    }
    expect(fire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(100);
    expect(fire).toHaveBeenCalledTimes(1);
  });

  it('never waits longer than MAX under a constant stream of changes', () => {
    const fire = vi.fn();
    const d = createDebouncer({ minMs: 100, maxMs: 300 }, fire);
    for (let i = 0; i < 10; i++) {
      d.touch();
      vi.advanceTimersByTime(50);
    }
    expect(fire).toHaveBeenCalledTimes(1);
  });

  it('fires at once without a wait', () => {
    const fire = vi.fn();
    createDebouncer(undefined, fire).touch();
    expect(fire).toHaveBeenCalledTimes(1);
  });
});

describe('backoff', () => {
  it('grows up to the ceiling and resets', () => {
    const b = createBackoff(100, 1000, () => 1);
    expect([b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([100, 200, 400, 800, 1000]);
    b.reset();
    expect(b.next()).toBe(100);
  });
});
