import { describe, expect, it } from 'vitest';
import { fromWireKey, toWireKey } from '../../src/backends/consul/kv.js';

describe('Consul wire keys', () => {
  it('reads a stored key as an absolute path without empty parts', () => {
    const cases: Array<[string, string]> = [
      ['app/live', '/app/live'],
      ['c1k/k00000', '/c1k/k00000'],
      ['a', '/a'],
      ['', '/'],
      ['/app/live', '/app/live'],
      ['app//live', '/app/live'],
      ['app/live/', '/app/live'],
      ['//', '/'],
    ];
    for (const [wire, path] of cases) expect(fromWireKey(wire), JSON.stringify(wire)).toBe(path);
  });

  it('round-trips a path', () => {
    for (const path of ['/app/live', '/a', '/']) expect(fromWireKey(toWireKey(path))).toBe(path);
  });
});
