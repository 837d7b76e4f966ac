import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { createHeapTuning, LARGE_SNAPSHOT_KEYS } from '../../src/daemon/heap-tuning.js';

const SMALL = ['--optimize-for-size', '--semi-space-growth-factor=1'];
const DEFAULTS = ['--no-optimize-for-size', '--semi-space-growth-factor=2'];

describe('the daemon heap policy', () => {
  const saved = process.env['NODE_OPTIONS'];
  afterEach(() => {
    if (saved === undefined) delete process.env['NODE_OPTIONS'];
    else process.env['NODE_OPTIONS'] = saved;
  });

  it('starts with a small heap and keeps it only when the first snapshot is large', () => {
    delete process.env['NODE_OPTIONS'];
    const small: string[] = [];
    const heap = createHeapTuning((f) => small.push(f));
    expect(heap.observe(20)).toBe(DEFAULTS.join(' '));
    expect(heap.observe(LARGE_SNAPSHOT_KEYS)).toBeUndefined();
    expect(small).toEqual([...SMALL, ...DEFAULTS]);
    const large: string[] = [];
    const big = createHeapTuning((f) => large.push(f));
    expect(big.observe(LARGE_SNAPSHOT_KEYS)).toBeUndefined();
    expect(big.observe(20)).toBeUndefined();
    expect(large).toEqual(SMALL);
  });

  it('leaves the operator’s choice alone: either flag or a young generation size, on node’s command line or in NODE_OPTIONS, with - or _', () => {
    const chosen = [
      ['--no-optimize-for-size'],
      ['--optimize_for_size'],
      ['--semi-space-growth-factor=4'],
      ['--semi_space_growth_factor=4'],
      ['--max-old-space-size=512', '--min-semi-space-size=2'],
      ['--max_semi_space_size=8'],
    ];
    for (const given of chosen) {
      const set: string[] = [];
      const heap = createHeapTuning((f) => set.push(f), given);
      expect(heap.observe(20)).toBeUndefined();
      expect(heap.observe(LARGE_SNAPSHOT_KEYS * 2)).toBeUndefined();
      expect(set).toEqual([]);
    }
    process.env['NODE_OPTIONS'] = '--max-semi-space-size=8';
    const set: string[] = [];
    createHeapTuning((f) => set.push(f)).observe(20);
    expect(set).toEqual([]);
  });

  it('takes other flags as no choice', () => {
    const set: string[] = [];
    createHeapTuning((f) => set.push(f), ['--max-old-space-size=512', '--enable-source-maps']);
    expect(set).toEqual(SMALL);
  });

  it('holds the young generation at its starting size when set at run time, as the daemon sets it', () => {
    // Short-lived garbage with some of it alive at each scavenge, as a round
    // of many keys makes; prints the young generation's committed size.
    const script = `
      const v8 = require('node:v8');
      for (const flag of process.argv.slice(1)) v8.setFlagsFromString(flag);
      let kept = [];
      for (let i = 0; i < 400000; i++) { kept.push({ i, s: 'line ' + i }); if (kept.length > 20000) kept = []; }
      process.stdout.write(String(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size));`;
    const youngMb = (flags: string[]): number => Number(execFileSync(process.execPath, ['-e', script, '--', ...flags], { encoding: 'utf8' })) / 2 ** 20;
    const held = youngMb(SMALL);
    const grown = youngMb(DEFAULTS);
    expect(held).toBeLessThanOrEqual(4);
    expect(grown).toBeGreaterThanOrEqual(4 * held);
  });
});
