// etcd's gRPC messages in protobuf's wire format, for the few calls a run
// that reads once makes (KV.Txn of range reads, Auth.Authenticate): written
// and read straight from bytes, so ten thousand keys cost their two strings
// apiece and nothing else (no JSON, no base64, no object per key or field).
// Field numbers are etcd's rpc.proto and kv.proto.
import { decodedFaithfully, utf8Slice } from '../utf8.js';
import type { KeyVisitor, RangeRequest } from './snapshot.js';

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

/** A message etcd sent that this reader cannot follow. */
export class WireFormatError extends Error {
  override readonly name = 'WireFormatError';
}

// ---- writing ----

const varintBytes = (value: bigint): number[] => {
  const out: number[] = [];
  let v = BigInt.asUintN(64, value);
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
};

const tag = (field: number, wireType: number): number[] => varintBytes(BigInt((field << 3) | wireType));

const bytesField = (field: number, bytes: Uint8Array): Buffer =>
  Buffer.concat([Buffer.from([...tag(field, LENGTH_DELIMITED), ...varintBytes(BigInt(bytes.length))]), bytes]);

const varintField = (field: number, value: bigint): Buffer => Buffer.from([...tag(field, VARINT), ...varintBytes(value)]);

/** TxnRequest { success: [RequestOp { request_range: RangeRequest }] }: no compares, so it always succeeds. */
export const encodeRangeTxn = (ranges: readonly RangeRequest[]): Buffer =>
  Buffer.concat(
    ranges.map((r) => {
      const range = Buffer.concat([
        bytesField(1, r.key),
        bytesField(2, r.range_end),
        ...(r.revision ? [varintField(4, BigInt(r.revision))] : []),
      ]);
      return bytesField(2, bytesField(1, range));
    }),
  );

/** AuthenticateRequest { name, password }. */
export const encodeAuthenticate = (name: string, password: string): Buffer =>
  Buffer.concat([bytesField(1, Buffer.from(name, 'utf8')), bytesField(2, Buffer.from(password, 'utf8'))]);

// ---- reading ----

/** A cursor over one message's bytes; `end` bounds the message being read. */
interface Cursor {
  buf: Buffer;
  pos: number;
}

/** A varint as a number; exact below 2^53, which every revision etcd hands out is. */
const readVarint = (c: Cursor): number => {
  const buf = c.buf;
  let pos = c.pos;
  let byte = buf[pos++] as number;
  let value = byte & 0x7f;
  let scale = 128;
  while (byte & 0x80) {
    if (pos >= buf.length) throw new WireFormatError('a varint runs past the end of the message');
    byte = buf[pos++] as number;
    value += (byte & 0x7f) * scale;
    scale *= 128;
  }
  c.pos = pos;
  return value;
};

/** A 64-bit varint as decimal text, exact at any size. */
const readVarintText = (c: Cursor): string => {
  const start = c.pos;
  const value = readVarint(c);
  if (value <= Number.MAX_SAFE_INTEGER) return String(value);
  let exact = 0n;
  for (let i = c.pos - 1; i >= start; i--) exact = (exact << 7n) | BigInt((c.buf[i] as number) & 0x7f);
  return BigInt.asIntN(64, exact).toString();
};

/** The end of a length-delimited field whose length is at the cursor. */
const readLengthEnd = (c: Cursor, end: number): number => {
  const length = readVarint(c);
  const fieldEnd = c.pos + length;
  if (fieldEnd > end) throw new WireFormatError('a field runs past the end of its message');
  return fieldEnd;
};

const skip = (c: Cursor, wireType: number, end: number): void => {
  if (wireType === VARINT) readVarint(c);
  else if (wireType === LENGTH_DELIMITED) c.pos = readLengthEnd(c, end);
  else if (wireType === FIXED64) c.pos += 8;
  else if (wireType === FIXED32) c.pos += 4;
  else throw new WireFormatError(`unknown wire type ${wireType}`);
  if (c.pos > end) throw new WireFormatError('a field runs past the end of its message');
};

const KEY_TAG = (1 << 3) | LENGTH_DELIMITED;
const MOD_REVISION_TAG = (3 << 3) | VARINT;
const VALUE_TAG = (5 << 3) | LENGTH_DELIMITED;

/** A 64-bit varint as a number when exact as one, else as decimal text. */
const readRevision = (c: Cursor): number | string => {
  const start = c.pos;
  const value = readVarint(c);
  if (value <= Number.MAX_SAFE_INTEGER) return value;
  c.pos = start;
  return readVarintText(c);
};

/**
 * KeyValue { key = 1, mod_revision = 3, value = 5 }, handed to `visit`.
 * Written for the common case, as it runs once per key before the code is
 * optimized: one-byte tags and lengths are read inline, the other varint
 * fields skipped inline, and nothing is allocated but the key and the value.
 */
const readKeyValue = (c: Cursor, end: number, range: number, visit: KeyVisitor): void => {
  const buf = c.buf;
  let pos = c.pos;
  let key = '';
  let value = '';
  let validUtf8 = true;
  let modRevision: number | string = 0;
  while (pos < end) {
    const t = buf[pos] as number;
    if (t === KEY_TAG || t === VALUE_TAG) {
      let length = buf[pos + 1] as number;
      if (length < 0x80) pos += 2;
      else {
        c.pos = pos + 1;
        length = readVarint(c);
        pos = c.pos;
      }
      const stop = pos + length;
      if (stop > end) throw new WireFormatError('a field runs past the end of its message');
      const text = utf8Slice.call(buf, pos, stop);
      if (t === KEY_TAG) key = text;
      else {
        value = text;
        validUtf8 = decodedFaithfully(text, buf, pos, stop);
      }
      pos = stop;
    } else if (t === MOD_REVISION_TAG) {
      c.pos = pos + 1;
      modRevision = readRevision(c);
      pos = c.pos;
    } else if (t < 0x80 && (t & 7) === VARINT) {
      // create_revision, version, lease: skipped.
      pos++;
      while ((buf[pos++] as number) & 0x80) if (pos >= end) throw new WireFormatError('a varint runs past the end of its message');
    } else {
      c.pos = pos;
      const tagValue = readVarint(c);
      skip(c, tagValue & 7, end);
      pos = c.pos;
    }
  }
  c.pos = pos;
  visit(range, key, value, validUtf8, modRevision);
};

const KVS_TAG = (2 << 3) | LENGTH_DELIMITED;

/** RangeResponse { kvs = 2 }: one KeyValue after another, a one-byte tag and length read inline. */
const readRange = (c: Cursor, end: number, range: number, visit: KeyVisitor): void => {
  const buf = c.buf;
  while (c.pos < end) {
    if (buf[c.pos] !== KVS_TAG) {
      const t = readVarint(c);
      skip(c, t & 7, end);
      continue;
    }
    const length = buf[c.pos + 1] as number;
    let fieldEnd: number;
    if (length < 0x80) {
      c.pos += 2;
      fieldEnd = c.pos + length;
      if (fieldEnd > end) throw new WireFormatError('a field runs past the end of its message');
    } else {
      c.pos += 1;
      fieldEnd = readLengthEnd(c, end);
    }
    readKeyValue(c, fieldEnd, range, visit);
    c.pos = fieldEnd;
  }
};

/** ResponseOp { response_range = 1 }. */
const readResponseOp = (c: Cursor, end: number, range: number, visit: KeyVisitor): void => {
  while (c.pos < end) {
    const t = readVarint(c);
    if (t === ((1 << 3) | LENGTH_DELIMITED)) {
      const fieldEnd = readLengthEnd(c, end);
      readRange(c, fieldEnd, range, visit);
      c.pos = fieldEnd;
    } else {
      skip(c, t & 7, end);
    }
  }
};

/** ResponseHeader { revision = 3 }. */
const readHeaderRevision = (c: Cursor, end: number): string | undefined => {
  let revision: string | undefined;
  while (c.pos < end) {
    const t = readVarint(c);
    if (t === ((3 << 3) | VARINT)) revision = readVarintText(c);
    else skip(c, t & 7, end);
  }
  return revision;
};

/**
 * TxnResponse { header = 1, responses = 3 }: each key of each range to
 * `visit` (ranges numbered in request order); returns the revision read.
 */
export const decodeRangeTxn = (buf: Buffer, visit: KeyVisitor): string => {
  const c: Cursor = { buf, pos: 0 };
  const end = buf.length;
  let revision: string | undefined;
  let range = 0;
  while (c.pos < end) {
    const t = readVarint(c);
    if (t === ((1 << 3) | LENGTH_DELIMITED)) {
      const fieldEnd = readLengthEnd(c, end);
      revision = readHeaderRevision(c, fieldEnd);
      c.pos = fieldEnd;
    } else if (t === ((3 << 3) | LENGTH_DELIMITED)) {
      const fieldEnd = readLengthEnd(c, end);
      readResponseOp(c, fieldEnd, range++, visit);
      c.pos = fieldEnd;
    } else {
      skip(c, t & 7, end);
    }
  }
  if (revision === undefined) throw new WireFormatError('the transaction answer has no revision');
  return revision;
};

/** AuthenticateResponse { token = 2 }. */
export const decodeAuthenticate = (buf: Buffer): string => {
  const c: Cursor = { buf, pos: 0 };
  let token = '';
  while (c.pos < buf.length) {
    const t = readVarint(c);
    if (t === ((2 << 3) | LENGTH_DELIMITED)) {
      const fieldEnd = readLengthEnd(c, buf.length);
      token = buf.toString('utf8', c.pos, fieldEnd);
      c.pos = fieldEnd;
    } else {
      skip(c, t & 7, buf.length);
    }
  }
  return token;
};
