import { describe, expect, it } from 'vitest';
import { createWatchedValues } from '../../src/backends/consul/watched-values.js';

describe('watched Consul values', () => {
  it('serves the last answer of every watched path, and drops it on a failure or a write', () => {
    const kept = createWatchedValues();
    const a = kept.keep('/a/');
    const b = kept.keep('/b');
    expect(kept.keep('/a')).toBeUndefined();
    expect(kept.snapshot(['/a'])).toBeUndefined();
    const answer = new Map([['/a/x', '1']]);
    a?.set({ values: answer, index: 7 });
    // The answer's own Map: no copy.
    expect(kept.snapshot(['/a/x', '/a'])?.values).toBe(answer);
    expect(kept.snapshot(['/a'])?.revision).toBe('7');
    expect(kept.snapshot(['/a', '/b'])).toBeUndefined();
    b?.set({ values: new Map([['/b/y', '2\uFFFD']]), index: 9, invalidUtf8: ['/b/y'] });
    const both = kept.snapshot(['/b', '/a']);
    expect([...(both?.values ?? [])]).toEqual([['/a/x', '1'], ['/b/y', '2\uFFFD']]);
    expect(both?.revision).toBe('9');
    // Bytes that were not UTF-8 stay named through the merge.
    expect(both?.invalidUtf8).toEqual(['/b/y']);
    expect(kept.snapshot(['/a'])?.invalidUtf8).toBeUndefined();
    a?.drop();
    expect(kept.snapshot(['/a'])).toBeUndefined();
    a?.set({ values: answer, index: 8 });
    kept.forget('b/y');
    expect(kept.snapshot(['/b'])).toBeUndefined();
    expect(kept.snapshot(['/a'])).toBeDefined();
    a?.release();
    expect(kept.snapshot(['/a'])).toBeUndefined();
    expect(kept.snapshot([])).toBeUndefined();
  });
});
