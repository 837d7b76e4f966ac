import { afterEach, describe, expect, it } from 'vitest';
import { createHeapTuning, LARGE_SNAPSHOT_KEYS } from '../../src/daemon/heap-tuning.js';

describe('the daemon heap policy', () => {
  const saved = process.env['NODE_OPTIONS'];
  afterEach(() => {
    if (saved === undefined) delete process.env['NODE_OPTIONS'];
    else process.env['NODE_OPTIONS'] = saved;
  });

  it('starts with --optimize-for-size and keeps it only when the first snapshot is large', () => {
    delete process.env['NODE_OPTIONS'];
    const small: string[] = [];
    const heap = createHeapTuning((f) => small.push(f));
    expect(heap.observe(20)).toBe('--no-optimize-for-size');
    expect(heap.observe(LARGE_SNAPSHOT_KEYS)).toBeUndefined();
    expect(small).toEqual(['--optimize-for-size', '--no-optimize-for-size']);
    const large: string[] = [];
    const big = createHeapTuning((f) => large.push(f));
    expect(big.observe(LARGE_SNAPSHOT_KEYS)).toBeUndefined();
    expect(big.observe(20)).toBeUndefined();
    expect(large).toEqual(['--optimize-for-size']);
  });

  it('leaves the operator’s choice alone', () => {
    process.env['NODE_OPTIONS'] = '--no-optimize-for-size';
    const set: string[] = [];
    const heap = createHeapTuning((f) => set.push(f));
    expect(heap.observe(20)).toBeUndefined();
    expect(heap.observe(LARGE_SNAPSHOT_KEYS * 2)).toBeUndefined();
    expect(set).toEqual([]);
  });
});
