// Failed resources come back with backoff until they succeed; a success
// forgets them and resets the backoff.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TemplateResource } from '../../src/config/resource.js';
import { ResourceError, type Stage } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import type { ResourceOutcome } from '../../src/daemon/process-resources.js';
import { createRetrySchedule } from '../../src/daemon/retry-schedule.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const resource = (name: string): TemplateResource => ({ name, file: `${name}.toml`, src: 'x.hbs', dest: `/tmp/${name}`, prefix: '/', keys: ['/'], paths: ['/'] });
const failed = (name: string, stage: Stage): ResourceOutcome => ({
  resource: resource(name),
  ok: false,
  error: new ResourceError(name, stage, 'EROFS: read-only file system'),
  services: [],
});
const ok = (name: string): ResourceOutcome => ({ resource: resource(name), ok: true, result: { outcome: 'updated' }, services: [] });
// Always the ceiling of each step: 100, 200, 400, ...
const backoff = () => {
  let attempt = 0;
  return { next: () => 100 * 2 ** attempt++, reset: () => (attempt = 0) };
};

describe('retry schedule', () => {
  it('retries every failed stage with growing delays, and stops once it succeeds', () => {
    const due = vi.fn();
    const retries = createRetrySchedule(silentLogger, due, backoff());
    retries.record([failed('a', 'commit'), ok('b')]);
    vi.advanceTimersByTime(99);
    expect(due).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(due).toHaveBeenLastCalledWith(['a']);
    retries.record([failed('a', 'stage'), failed('c', 'check')]);
    vi.advanceTimersByTime(199);
    expect(due).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(due).toHaveBeenLastCalledWith(['a', 'c']);
    retries.record([ok('a'), ok('c')]);
    vi.advanceTimersByTime(60_000);
    expect(due).toHaveBeenCalledTimes(2);
    // The backoff starts over after a success.
    retries.record([failed('a', 'reload')]);
    vi.advanceTimersByTime(100);
    expect(due).toHaveBeenCalledTimes(3);
  });

  it('adds a resource that fails while a retry is pending to that retry', () => {
    const due = vi.fn();
    const retries = createRetrySchedule(silentLogger, due, backoff());
    retries.record([failed('a', 'fetch')]);
    vi.advanceTimersByTime(50);
    retries.record([failed('b', 'commit')]);
    vi.advanceTimersByTime(50);
    expect(due).toHaveBeenCalledExactlyOnceWith(['a', 'b']);
  });

  it('schedules nothing after stop', () => {
    const due = vi.fn();
    const retries = createRetrySchedule(silentLogger, due, backoff());
    retries.record([failed('a', 'commit')]);
    retries.stop();
    retries.record([failed('a', 'commit')]);
    vi.advanceTimersByTime(60_000);
    expect(due).not.toHaveBeenCalled();
  });
});
