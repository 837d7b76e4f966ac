import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { JS_SHA256_MAX_BYTES, randomHex, sha256Hex } from '../../src/hex.js';
import { sha256HexOf } from '../../src/sha256.js';

const reference = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

describe('sha256HexOf', () => {
  it('gives node:crypto’s digest around every padding boundary', () => {
    for (const length of [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 4099]) {
      const bytes = Buffer.from(Array.from({ length }, (_, i) => (i * 131 + length) & 255));
      expect(sha256HexOf(bytes), `length ${length}`).toBe(reference(bytes));
    }
  });

  it('gives the FIPS 180-4 digest of "abc"', () => {
    expect(sha256HexOf(Buffer.from('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('sha256Hex', () => {
  it('hashes text as UTF-8, below and above the size hashed in JavaScript', () => {
    for (const text of ['server 10.0.0.1:8080;\n', 'ünïcödé → ✓\n'.repeat(40), 'x'.repeat(JS_SHA256_MAX_BYTES), 'y'.repeat(JS_SHA256_MAX_BYTES + 1), 'z'.repeat(50_000)]) {
      expect(sha256Hex(text)).toBe(reference(text));
      expect(sha256Hex(Buffer.from(text))).toBe(reference(text));
    }
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
