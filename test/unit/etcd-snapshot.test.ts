import { describe, expect, it } from 'vitest';
import { subtreeRange } from '../../src/backends/etcd/snapshot.js';

const inRange = (key: string, path: string): boolean => {
  const { key: start, range_end: end } = subtreeRange(path);
  const k = Buffer.from(key);
  return Buffer.compare(k, start) >= 0 && Buffer.compare(k, end) < 0;
};

describe('subtreeRange', () => {
  it('covers the path and everything below it', () => {
    expect(inRange('/app/live', '/app/live')).toBe(true);
    expect(inRange('/app/live/a/b', '/app/live/')).toBe(true);
    expect(inRange('/app/lively', '/app/live')).toBe(false);
    expect(inRange('/app/liv', '/app/live')).toBe(false);
  });

  it('covers every absolute key for the root', () => {
    expect(inRange('/', '/')).toBe(true);
    expect(inRange('/zzz/deep', '')).toBe(true);
  });
});
