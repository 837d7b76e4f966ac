import { describe, expect, it } from 'vitest';
import { isoTime } from '../../src/iso-time.js';

const DAY = 86_400_000;

describe('isoTime', () => {
  it('writes what Date.prototype.toISOString writes, at the edges of days, months, leap years and centuries', () => {
    const dates = [
      '1970-01-01T00:00:00.000Z', '1969-12-31T23:59:59.999Z', '2000-02-29T12:00:00.001Z', '2000-03-01T00:00:00.000Z',
      '1900-02-28T23:59:59.999Z', '1900-03-01T00:00:00.000Z', '2100-02-28T00:00:00.010Z', '2100-03-01T00:00:00.100Z',
      '2024-12-31T23:59:59.999Z', '2025-01-01T00:00:00.000Z', '2026-12-02T02:54:05.032Z', '0000-01-01T00:00:00.000Z',
      '0999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z', '1600-02-29T06:07:08.009Z',
    ];
    for (const text of dates) expect(isoTime(Date.parse(text))).toBe(text);
  });

  it('agrees with toISOString on every day from 1600 to 2400 and on random instants', () => {
    for (let ms = Date.UTC(1600, 0, 1); ms < Date.UTC(2400, 0, 1); ms += 7 * DAY + 3_723_457) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    let seed = 7;
    for (let i = 0; i < 5_000; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      const ms = Math.floor((seed / 2 ** 31) * 2 * Date.UTC(9000, 0, 1)) - Date.UTC(9000, 0, 1);
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it('drops a fraction of a millisecond toward zero, as Date does', () => {
    for (const ms of [1.5, -0.5, -1.5, 1_700_000_000_123.999, -0]) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });

  it('leaves years outside 0–9999 and a time that is not a number to toISOString', () => {
    expect(isoTime(Date.UTC(10000, 0, 1))).toBe('+010000-01-01T00:00:00.000Z');
    expect(isoTime(Date.UTC(-1, 11, 31))).toBe(new Date(Date.UTC(-1, 11, 31)).toISOString());
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
  });

  it('defaults to now', () => {
    const before = Date.now();
    const at = Date.parse(isoTime());
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
  });
});
