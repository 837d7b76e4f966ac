// Random names and content digests in hex, without node:crypto where a
// one-shot run can do without it: loading it costs more than hashing a small
// file in JavaScript (src/sha256.ts), so only a larger content loads it.
import { sha256HexOf } from './sha256.js';

const crypto = (): typeof import('node:crypto') => process.getBuiltinModule('node:crypto');

/** Up to this many bytes are hashed in JavaScript; a larger content by node:crypto. */
export const JS_SHA256_MAX_BYTES = 2048;

/**
 * `bytes` random bytes as hex, for temporary file names. The files are
 * created with O_EXCL (a clash fails, it never overwrites), so only
 * uniqueness matters: Math.random, seeded anew by each process, is enough.
 */
export const randomHex = (bytes: number): string => {
  let hex = '';
  while (hex.length < bytes * 2) hex += Math.floor(Math.random() * 0x1000000).toString(16).padStart(6, '0');
  return hex.slice(0, bytes * 2);
};

/** SHA-256 of text (UTF-8) or bytes, as hex. */
export const sha256Hex = (data: string | Buffer): string => {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return bytes.length <= JS_SHA256_MAX_BYTES ? sha256HexOf(bytes) : crypto().createHash('sha256').update(bytes).digest('hex');
};
