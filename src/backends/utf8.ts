// Whether a store's value read as UTF-8 is its bytes: bytes that are not
// UTF-8 decode to U+FFFD, so only a text holding one needs the byte-level check.
import { isUtf8 } from 'node:buffer';

/** `text` is `bytes[start, end)` decoded as UTF-8; true when no byte was replaced. */
export const decodedFaithfully = (text: string, bytes: Buffer, start = 0, end = bytes.length): boolean =>
  !text.includes('\uFFFD') || isUtf8(bytes.subarray(start, end));

type Utf8Slicer = (this: Buffer, start: number, end: number) => string;

/**
 * Buffer's own UTF-8 decoder without toString's argument checks, called as
 * `utf8Slice.call(buf, start, end)`: run once per key, it is most of the decoding.
 */
export const utf8Slice: Utf8Slicer =
  (Buffer.prototype as unknown as { utf8Slice?: Utf8Slicer }).utf8Slice ??
  function (this: Buffer, start: number, end: number): string {
    return this.toString('utf8', start, end);
  };
