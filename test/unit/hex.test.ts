import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { randomHex, sha256Hex } from '../../src/hex.js';

const reference = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

describe('sha256Hex', () => {
  it('hashes text as UTF-8, and bytes as they are', () => {
    for (const text of ['', 'server 10.0.0.1:8080;\n', 'ünïcödé → ✓\n'.repeat(40), 'z'.repeat(50_000)]) {
      expect(sha256Hex(text)).toBe(reference(text));
      expect(sha256Hex(Buffer.from(text))).toBe(reference(text));
    }
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('randomHex', () => {
  it('gives that many bytes as hex, a different name each call', () => {
    const names = Array.from({ length: 200 }, () => randomHex(6));
    for (const name of names) expect(name).toMatch(/^[0-9a-f]{12}$/);
    expect(new Set(names).size).toBe(names.length);
    expect(randomHex(4)).toMatch(/^[0-9a-f]{8}$/);
  });
});
