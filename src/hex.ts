// Random names and content digests in hex. node:crypto is loaded at the first
// call, not at start-up: a run that writes no file never needs it.
const crypto = (): typeof import('node:crypto') => process.getBuiltinModule('node:crypto');

/** `bytes` random bytes as hex, for temporary file names (created with O_EXCL, so only uniqueness matters). */
export const randomHex = (bytes: number): string => crypto().randomBytes(bytes).toString('hex');

/** SHA-256 of text (UTF-8) or bytes, as hex. */
export const sha256Hex = (data: string | Buffer): string => crypto().createHash('sha256').update(data).digest('hex');
