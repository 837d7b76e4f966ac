// Random names and content digests in hex. node:crypto is loaded at the first
// digest only: no one-shot run takes one (history entries are hashed when
// listed), and loading it costs a short run a few milliseconds.

const crypto = (): typeof import('node:crypto') => process.getBuiltinModule('node:crypto');

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
export const sha256Hex = (data: string | Buffer): string => crypto().createHash('sha256').update(data).digest('hex');
