import { describe, expect, it } from 'vitest';
import { encodeHeaderBlock, HeaderDecoder, HpackError } from '../../src/http2/hpack.js';
import { decodeHuffman, HuffmanError } from '../../src/http2/huffman.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

describe('HPACK Huffman decoding', () => {
  it('decodes the strings of RFC 7541, Appendix C.4', () => {
    expect(decodeHuffman(hex('f1e3 c2e5 f23a 6ba0 ab90 f4ff'), 0, 12).toString()).toBe('www.example.com');
    expect(decodeHuffman(hex('a8eb 1064 9cbf'), 0, 6).toString()).toBe('no-cache');
    expect(decodeHuffman(hex('25a8 49e9 5ba9 7d7f'), 0, 8).toString()).toBe('custom-key');
    expect(decodeHuffman(hex('25a8 49e9 5bb8 e8b4 bf'), 0, 9).toString()).toBe('custom-value');
  });

  it('decodes only the range asked for', () => {
    const bytes = Buffer.concat([hex('00ff'), hex('a8eb 1064 9cbf'), hex('ff')]);
    expect(decodeHuffman(bytes, 2, 8).toString()).toBe('no-cache');
  });

  it('refuses padding of 8 bits or more, padding that is not ones, and the end-of-string code', () => {
    // "no-cache" followed by a whole octet of ones.
    expect(() => decodeHuffman(hex('a8eb 1064 9cbf ff'), 0, 7)).toThrow(HuffmanError);
    // '0' is 00000 (5 bits): padding 000 is not a prefix of the end-of-string code.
    expect(() => decodeHuffman(hex('00'), 0, 1)).toThrow(HuffmanError);
    expect(decodeHuffman(hex('07'), 0, 1).toString()).toBe('0');
    // 30 ones: the end-of-string code itself.
    expect(() => decodeHuffman(hex('ffff fffc'), 0, 4)).toThrow(HuffmanError);
  });
});

describe('HPACK header blocks', () => {
  it('decodes the requests of RFC 7541, Appendix C.4, with the dynamic table they build', () => {
    const decoder = new HeaderDecoder();
    expect(decoder.decode(hex('8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff'))).toEqual([
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/'],
      [':authority', 'www.example.com'],
    ]);
    // 0xbe is dynamic index 62: the :authority the first block added.
    expect(decoder.decode(hex('8286 84be 5886 a8eb 1064 9cbf'))).toEqual([
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/'],
      [':authority', 'www.example.com'],
      ['cache-control', 'no-cache'],
    ]);
    // 0xbf (63) is now the first :authority, 0xbe (62) the cache-control added after it.
    expect(decoder.decode(hex('8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf'))).toEqual([
      [':method', 'GET'],
      [':scheme', 'https'],
      [':path', '/index.html'],
      [':authority', 'www.example.com'],
      ['custom-key', 'custom-value'],
    ]);
  });

  it('evicts the oldest entries when the table is full, and after a size update', () => {
    const decoder = new HeaderDecoder();
    // Literals added to the table (0x40, new name): each entry 32 + 1 + 990 octets; four fit in 4,096.
    const literal = (name: string, value: string): Buffer =>
      Buffer.concat([Buffer.from([0x40, name.length]), Buffer.from(name), Buffer.from([0x7f, ((value.length - 127) & 0x7f) | 0x80, (value.length - 127) >> 7]), Buffer.from(value)]);
    const value = (c: string): string => c.repeat(990);
    decoder.decode(Buffer.concat(['a', 'b', 'c', 'd'].map((c) => literal(c, value(c)))));
    // Newest first: 62 is d, 65 is a.
    expect(decoder.decode(hex('be c1'))).toEqual([
      ['d', value('d')],
      ['a', value('a')],
    ]);
    decoder.decode(literal('e', value('e')));
    // a is gone: 65 is b now, and 66 does not exist.
    expect(decoder.decode(hex('c1'))).toEqual([['b', value('b')]]);
    expect(() => decoder.decode(hex('c2'))).toThrow(/index 66/);
    // A size update to 1,100 octets keeps only the newest entry.
    expect(decoder.decode(hex('3f ad 08 be'))).toEqual([['e', value('e')]]);
    expect(() => decoder.decode(hex('bf'))).toThrow(HpackError);
  });

  it('refuses a table larger than the connection allows, index 0 and blocks that end early', () => {
    const decoder = new HeaderDecoder();
    // 4,097 octets.
    expect(() => decoder.decode(hex('3f e2 1f'))).toThrow(/above the 4096/);
    expect(() => decoder.decode(hex('80'))).toThrow(/index 0/);
    expect(() => decoder.decode(hex('40 05 61'))).toThrow(/ends inside a string/);
    expect(() => decoder.decode(hex('ff'))).toThrow(/ends inside an integer/);
  });

  it('encodes requests the decoder reads back, names of the static table by index and values as literals', () => {
    const fields: [string, string][] = [
      [':method', 'POST'],
      [':scheme', 'http'],
      [':path', '/etcdserverpb.KV/Txn'],
      ['content-type', 'application/grpc'],
      ['te', 'trailers'],
      ['token', 'x'.repeat(300)],
    ];
    const block = encodeHeaderBlock(fields);
    // :method is static name 2, sent as a literal without indexing (0000 0010).
    expect(block[0]).toBe(0x02);
    expect(new HeaderDecoder().decode(block)).toEqual(fields);
    // Nothing of ours is added to the server's table: a decoder's table stays empty.
    const decoder = new HeaderDecoder();
    decoder.decode(block);
    expect(() => decoder.decode(hex('be'))).toThrow(/index 62/);
  });

  it('refuses a header value that would break the framing', () => {
    expect(() => encodeHeaderBlock([['token', 'a\r\nb']])).toThrow(/"token"/);
  });
});
