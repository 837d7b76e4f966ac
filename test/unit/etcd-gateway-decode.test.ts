// The gateway's keys and values arrive base64-encoded; they are decoded
// through one scratch buffer, and a value that is not UTF-8 must still be
// reported as such (the run warns about it).
import { describe, expect, it } from 'vitest';
import { base64Decoder } from '../../src/backends/etcd/gateway-client.js';

const b64 = (bytes: Buffer | string): string => Buffer.from(bytes).toString('base64');

describe('base64Decoder', () => {
  it('decodes one value after another through the same buffer', () => {
    const decode = base64Decoder();
    expect(decode(b64('/app/upstream/a'))).toEqual({ text: '/app/upstream/a', validUtf8: true });
    expect(decode(b64('é'))).toEqual({ text: 'é', validUtf8: true });
    expect(decode(b64(''))).toEqual({ text: '', validUtf8: true });
    expect(decode(undefined)).toEqual({ text: '', validUtf8: true });
    const long = 'x'.repeat(200_000) + 'ü';
    expect(decode(b64(long))).toEqual({ text: long, validUtf8: true });
    expect(decode(b64('10.0.0.1:80'))).toEqual({ text: '10.0.0.1:80', validUtf8: true });
  });

  it('tells bytes that are not UTF-8 from a U+FFFD that was written as such', () => {
    const decode = base64Decoder();
    expect(decode(b64(Buffer.from([0x61, 0xff, 0x62])))).toEqual({ text: 'a\uFFFDb', validUtf8: false });
    expect(decode(b64(Buffer.from([0xc3])))).toEqual({ text: '\uFFFD', validUtf8: false });
    expect(decode(b64('a\uFFFDb'))).toEqual({ text: 'a\uFFFDb', validUtf8: true });
  });
});
