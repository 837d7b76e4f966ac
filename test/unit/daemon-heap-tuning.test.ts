import { afterEach, describe, expect, it } from 'vitest';
import { tuneHeapForDaemon } from '../../src/daemon/heap-tuning.js';

describe('the daemon heap policy', () => {
  const saved = process.env['NODE_OPTIONS'];
  afterEach(() => {
    if (saved === undefined) delete process.env['NODE_OPTIONS'];
    else process.env['NODE_OPTIONS'] = saved;
  });

  it('is set unless the operator chose one', () => {
    process.env['NODE_OPTIONS'] = '--no-optimize-for-size';
    expect(tuneHeapForDaemon()).toBe(false);
    process.env['NODE_OPTIONS'] = '--max-old-space-size=200';
    expect(tuneHeapForDaemon()).toBe(true);
  });
});
