// The one-shot etcd client writes and reads etcd's messages by hand; protobufjs
// with etcd's own .proto files (shipped with the etcd3 client) is the other
// side here, so a field number, wire type or length read wrong fails.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { decodeAuthenticate, decodeRangeTxn, encodeAuthenticate, encodeRangeTxn, WireFormatError } from '../../src/backends/etcd/wire-format.js';

const require = createRequire(import.meta.url);
const root = new protobuf.Root();
root.loadSync(join(dirname(require.resolve('etcd3/package.json')), 'proto/rpc.proto'), { keepCase: true });
const type = (name: string): protobuf.Type => root.lookupType(`etcdserverpb.${name}`);

const kv = (key: string | Buffer, value: string | Buffer, modRevision: number | string) => ({
  key: Buffer.from(key),
  value: Buffer.from(value),
  create_revision: 3,
  mod_revision: modRevision,
  version: 2,
  lease: 7,
});

const txnAnswer = (revision: number | string, ranges: ReturnType<typeof kv>[][]): Buffer => {
  const T = type('TxnResponse');
  const message = T.fromObject({
    header: { cluster_id: '123456789012', member_id: 42, revision, raft_term: 5 },
    succeeded: true,
    responses: ranges.map((kvs) => ({ response_range: { header: { revision }, kvs, more: false, count: kvs.length } })),
  });
  return Buffer.from(T.encode(message).finish());
};

interface Read {
  key: string;
  value: string;
  validUtf8: boolean;
  mod_revision: number | string;
}

/** The keys decodeRangeTxn hands over, gathered per range (`count` ranges, empty ones too). */
const decode = (buf: Buffer, count = 1): { revision: string; ranges: Read[][] } => {
  const ranges: Read[][] = Array.from({ length: count }, () => []);
  const revision = decodeRangeTxn(buf, (range, key, value, validUtf8, modRevision) => {
    ranges[range]?.push({ key, value, validUtf8, mod_revision: modRevision });
  });
  return { revision, ranges };
};

describe('decodeRangeTxn', () => {
  it('hands over every key of every range in order, with values and mod revisions, skipping the fields it has no use for', () => {
    const long = 'v'.repeat(300); // a length of two varint bytes
    const answer = txnAnswer(77, [
      [kv('/a/1', 'one', 10), kv('/a/2', long, 11)],
      [],
      [kv('/ü/k', 'wert ü', 12), kv('/b/empty', '', 13)],
    ]);
    expect(decode(answer, 3)).toEqual({
      revision: '77',
      ranges: [
        [
          { key: '/a/1', value: 'one', validUtf8: true, mod_revision: 10 },
          { key: '/a/2', value: long, validUtf8: true, mod_revision: 11 },
        ],
        [],
        [
          { key: '/ü/k', value: 'wert ü', validUtf8: true, mod_revision: 12 },
          { key: '/b/empty', value: '', validUtf8: true, mod_revision: 13 },
        ],
      ],
    });
  });

  it('keeps revisions above 2^53 exact', () => {
    const big = '9007199254740993';
    const { revision, ranges } = decode(txnAnswer(big, [[kv('/k', 'v', big)]]));
    expect(revision).toBe(big);
    expect(ranges[0]?.[0]?.mod_revision).toBe(big);
  });

  it('tells bytes that are not UTF-8 from a U+FFFD that was written as such', () => {
    const { ranges } = decode(
      txnAnswer(5, [[kv('/bad', Buffer.from([0x61, 0xff, 0x62]), 1), kv('/cut', Buffer.from([0xc3]), 2), kv('/written', 'a\uFFFDb', 3)]]),
    );
    expect(ranges[0]?.map((k) => [k.value, k.validUtf8])).toEqual([
      ['a\uFFFDb', false],
      ['\uFFFD', false],
      ['a\uFFFDb', true],
    ]);
  });

  it('rejects an answer cut short or without a revision', () => {
    const answer = txnAnswer(9, [[kv('/k', 'value', 1)]]);
    expect(() => decode(answer.subarray(0, answer.length - 3))).toThrow(WireFormatError);
    const T = type('TxnResponse');
    expect(() => decode(Buffer.from(T.encode(T.fromObject({ succeeded: true })).finish()))).toThrow(/no revision/);
  });
});

describe('encodeRangeTxn', () => {
  it('writes range reads etcd reads back as sent, pinned to a revision when given', () => {
    const bytes = encodeRangeTxn([
      { key: Buffer.from('/app'), range_end: Buffer.from('/app0') },
      { key: Buffer.from('/ü'.repeat(100)), range_end: Buffer.from('/x0'), revision: '9007199254740993' },
    ]);
    const decoded = type('TxnRequest').toObject(type('TxnRequest').decode(bytes), { longs: String, bytes: String });
    expect(decoded).toEqual({
      success: [
        { request_range: { key: Buffer.from('/app').toString('base64'), range_end: Buffer.from('/app0').toString('base64') } },
        {
          request_range: {
            key: Buffer.from('/ü'.repeat(100)).toString('base64'),
            range_end: Buffer.from('/x0').toString('base64'),
            revision: '9007199254740993',
          },
        },
      ],
    });
  });
});

describe('authentication messages', () => {
  it('writes the name and password and reads the token', () => {
    const request = type('AuthenticateRequest').toObject(type('AuthenticateRequest').decode(encodeAuthenticate('root', 'pässword')));
    expect(request).toEqual({ name: 'root', password: 'pässword' });
    const R = type('AuthenticateResponse');
    const answer = Buffer.from(R.encode(R.fromObject({ header: { revision: 3 }, token: 'tok.123' })).finish());
    expect(decodeAuthenticate(answer)).toBe('tok.123');
  });
});
