import { afterEach, describe, expect, it } from 'vitest';
import { createHeapTuning, LARGE_SNAPSHOT_KEYS } from '../../src/daemon/heap-tuning.js';

describe('the daemon heap policy', () => {
  const saved = process.env['NODE_OPTIONS'];
  afterEach(() => {
    if (saved === undefined) delete process.env['NODE_OPTIONS'];
    else process.env['NODE_OPTIONS'] = saved;
  });

  it('switches to --optimize-for-size once, on the first large snapshot', () => {
    delete process.env['NODE_OPTIONS'];
    const set: string[] = [];
    const heap = createHeapTuning((f) => set.push(f));
    expect(heap.observe(20)).toBe(false);
    expect(heap.observe(LARGE_SNAPSHOT_KEYS)).toBe(true);
    expect(heap.observe(LARGE_SNAPSHOT_KEYS * 2)).toBe(false);
    expect(set).toEqual(['--optimize-for-size']);
  });

  it('leaves the operator’s choice alone', () => {
    process.env['NODE_OPTIONS'] = '--no-optimize-for-size';
    const set: string[] = [];
    expect(createHeapTuning((f) => set.push(f)).observe(LARGE_SNAPSHOT_KEYS * 2)).toBe(false);
    expect(set).toEqual([]);
  });
});
