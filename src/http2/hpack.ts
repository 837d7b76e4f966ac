// HPACK (RFC 7541): decoding the header blocks a server sends, with its
// dynamic table, and encoding a client's few request headers as literals
// (nothing indexed, so the server's table of our headers stays empty).
import { decodeHuffman } from './huffman.js';

/** A header block that cannot be decoded: the connection cannot go on (COMPRESSION_ERROR). */
export class HpackError extends Error {
  override readonly name = 'HpackError';
}

// RFC 7541, Appendix A: index 1 is the first entry.
const STATIC_TABLE: readonly (readonly [string, string])[] = [
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'],
  [':scheme', 'http'], [':scheme', 'https'], [':status', '200'], [':status', '204'], [':status', '206'],
  [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'], ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''], ['accept', ''],
  ['access-control-allow-origin', ''], ['age', ''], ['allow', ''], ['authorization', ''], ['cache-control', ''],
  ['content-disposition', ''], ['content-encoding', ''], ['content-language', ''], ['content-length', ''],
  ['content-location', ''], ['content-range', ''], ['content-type', ''], ['cookie', ''], ['date', ''], ['etag', ''],
  ['expect', ''], ['expires', ''], ['from', ''], ['host', ''], ['if-match', ''], ['if-modified-since', ''],
  ['if-none-match', ''], ['if-range', ''], ['if-unmodified-since', ''], ['last-modified', ''], ['link', ''],
  ['location', ''], ['max-forwards', ''], ['proxy-authenticate', ''], ['proxy-authorization', ''], ['range', ''],
  ['referer', ''], ['refresh', ''], ['retry-after', ''], ['server', ''], ['set-cookie', ''],
  ['strict-transport-security', ''], ['transfer-encoding', ''], ['user-agent', ''], ['vary', ''], ['via', ''],
  ['www-authenticate', ''],
];

/** The table size HTTP/2 starts with (SETTINGS_HEADER_TABLE_SIZE), which this client never changes. */
export const HEADER_TABLE_BYTES = 4096;

// An entry's size counts 32 octets of overhead (RFC 7541, section 4.1).
const entrySize = (name: string, value: string): number => name.length + value.length + 32;

/** One decoded header field, in the order the block gives them. */
export type HeaderField = readonly [name: string, value: string];

/** Decodes the header blocks of one connection in the order they arrive (they share the dynamic table). */
export class HeaderDecoder {
  // Newest first: dynamic index 62 is entries[0].
  private readonly entries: (readonly [string, string])[] = [];
  private size = 0;
  private maxSize = HEADER_TABLE_BYTES;

  decode(block: Uint8Array): HeaderField[] {
    const fields: HeaderField[] = [];
    let at = 0;
    const integer = (prefixBits: number): number => {
      if (at >= block.length) throw new HpackError('a header block ends inside an integer');
      const mask = (1 << prefixBits) - 1;
      let value = (block[at++] as number) & mask;
      if (value < mask) return value;
      for (let shift = 0; ; shift += 7) {
        if (at >= block.length) throw new HpackError('a header block ends inside an integer');
        if (shift > 28) throw new HpackError('a header block holds an integer too large');
        const byte = block[at++] as number;
        value += (byte & 0x7f) * 2 ** shift;
        if ((byte & 0x80) === 0) return value;
      }
    };
    const string = (): string => {
      if (at >= block.length) throw new HpackError('a header block ends before a string');
      const huffman = ((block[at] as number) & 0x80) !== 0;
      const length = integer(7);
      if (at + length > block.length) throw new HpackError(`a header block ends inside a string of ${length} octets`);
      const start = at;
      at += length;
      return huffman ? decodeHuffman(block, start, at).toString('latin1') : Buffer.from(block.buffer, block.byteOffset + start, length).toString('latin1');
    };
    const nameAt = (index: number): string => this.field(index)[0];

    while (at < block.length) {
      const byte = block[at] as number;
      if (byte & 0x80) {
        // Indexed field.
        const index = integer(7);
        if (index === 0) throw new HpackError('a header block refers to index 0');
        fields.push(this.field(index));
      } else if (byte & 0x40) {
        // Literal, added to the table.
        const index = integer(6);
        const name = index === 0 ? string() : nameAt(index);
        const value = string();
        fields.push([name, value]);
        this.add(name, value);
      } else if (byte & 0x20) {
        // Table size update.
        const size = integer(5);
        if (size > HEADER_TABLE_BYTES) throw new HpackError(`a header block sets the table to ${size} octets, above the ${HEADER_TABLE_BYTES} allowed`);
        this.maxSize = size;
        this.evict(0);
      } else {
        // Literal, not indexed (0000) or never indexed (0001).
        const index = integer(4);
        const name = index === 0 ? string() : nameAt(index);
        fields.push([name, string()]);
      }
    }
    return fields;
  }

  private field(index: number): readonly [string, string] {
    const entry = index <= STATIC_TABLE.length ? STATIC_TABLE[index - 1] : this.entries[index - STATIC_TABLE.length - 1];
    if (!entry) throw new HpackError(`a header block refers to index ${index}, beyond the ${STATIC_TABLE.length + this.entries.length} entries`);
    return entry;
  }

  private add(name: string, value: string): void {
    const size = entrySize(name, value);
    this.evict(size);
    // An entry larger than the whole table empties it and is not added.
    if (size > this.maxSize) return;
    this.entries.unshift([name, value]);
    this.size += size;
  }

  private evict(room: number): void {
    while (this.entries.length > 0 && this.size + room > this.maxSize) {
      const [name, value] = this.entries.pop() as readonly [string, string];
      this.size -= entrySize(name, value);
    }
  }
}

const STATIC_NAMES = new Map<string, number>();
for (let i = STATIC_TABLE.length - 1; i >= 0; i--) STATIC_NAMES.set((STATIC_TABLE[i] as readonly [string, string])[0], i + 1);

const pushInteger = (out: number[], value: number, prefixBits: number, firstBits: number): void => {
  const mask = (1 << prefixBits) - 1;
  if (value < mask) {
    out.push(firstBits | value);
    return;
  }
  out.push(firstBits | mask);
  let rest = value - mask;
  while (rest >= 0x80) {
    out.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
};

const pushString = (out: number[], text: string): void => {
  pushInteger(out, text.length, 7, 0);
  for (let i = 0; i < text.length; i++) out.push(text.charCodeAt(i));
};

/** A header block of literals without indexing (names lower case; values visible ASCII: a field holding CR, LF, NUL or more is refused). */
export const encodeHeaderBlock = (fields: readonly HeaderField[]): Buffer => {
  const out: number[] = [];
  for (const [name, value] of fields) {
    for (const text of [name, value]) {
      if (/[^\x20-\x7e\t]/.test(text)) throw new HpackError(`header ${JSON.stringify(name)} holds a character a header cannot carry`);
    }
    const index = STATIC_NAMES.get(name);
    pushInteger(out, index ?? 0, 4, 0x00);
    if (index === undefined) pushString(out, name);
    pushString(out, value);
  }
  return Buffer.from(out);
};
