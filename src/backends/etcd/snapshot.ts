// One consistent read of several subtrees: a transaction of range requests,
// so every path is read at the same revision. The transport is the caller's:
// the etcd3 gRPC client (etcd3RangeTxn) or the v3 JSON gateway (gateway-client.ts).
import { isUtf8 } from 'node:buffer';
import type { KVClient } from 'etcd3';
import type { Snapshot } from '../backend.js';
import { collapsePaths, isKeyUnder, normalizeKey } from '../keys.js';

// etcd's default --max-txn-ops is 128; stay well below it.
const OPS_PER_TXN = 100;

/**
 * The byte range holding a path and everything below it. "/app/live" → ["/app/live",
 * "/app/live0"): "0" follows "/", so the range also catches siblings such as
 * "/app/live-x", which the caller filters out with isKeyUnder.
 */
export const subtreeRange = (path: string): { key: Buffer; range_end: Buffer } => {
  const p = normalizeKey(path);
  if (p === '/') return { key: Buffer.from('/'), range_end: Buffer.from('0') };
  return { key: Buffer.from(p), range_end: Buffer.from(p + '0') };
};

/** One range read of a transaction; `revision` pins it to an earlier revision. */
export interface RangeRequest {
  key: Buffer;
  range_end: Buffer;
  revision?: string;
}

/** One key as stored: raw bytes, and the revision it was last written at. */
export interface StoredKeyValue {
  key: Buffer;
  value: Buffer;
  mod_revision: string;
}

/** One transaction of range reads: the keys of each range in request order, and the revision read. */
export type RangeTxn = (ranges: RangeRequest[]) => Promise<{ revision: string; ranges: StoredKeyValue[][] }>;

/** RangeTxn over the etcd3 client. */
export const etcd3RangeTxn =
  (kv: KVClient): RangeTxn =>
  async (ranges) => {
    const res = await kv.txn({ success: ranges.map((r) => ({ request_range: r })) });
    return { revision: res.header.revision, ranges: res.responses.map((r) => r.response_range?.kvs ?? []) };
  };

const rangeOp = (path: string, revision?: string): RangeRequest => ({ ...subtreeRange(path), ...(revision ? { revision } : {}) });

const chunk = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/** A key's value and the revision it was last written at. */
export interface StoredValue {
  value: string;
  modRevision: string;
}

const collect = (values: Map<string, StoredValue>, paths: readonly string[], ranges: StoredKeyValue[][], invalid: string[]): void => {
  ranges.forEach((kvs, i) => {
    const path = paths[i] ?? '/';
    for (const kv of kvs) {
      const key = kv.key.toString('utf8');
      if (!isKeyUnder(key, path)) continue;
      values.set(key, { value: kv.value.toString('utf8'), modRevision: kv.mod_revision });
      if (!isUtf8(kv.value)) invalid.push(key);
    }
  });
};

const byKey = <T>(entries: Iterable<[string, T]>): Map<string, T> =>
  new Map([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/**
 * Every key at or below each path with its mod revision, all at one revision:
 * `atRevision`, or the current one. Returns the revision read.
 */
export const readStoredValues = async (
  txn: RangeTxn,
  paths: readonly string[],
  atRevision?: string,
): Promise<{ values: Map<string, StoredValue>; revision: string; invalidUtf8: string[] }> => {
  const wanted = collapsePaths(paths.length > 0 ? paths : ['/']);
  const [first = [], ...rest] = chunk(wanted, OPS_PER_TXN);
  const values = new Map<string, StoredValue>();
  const invalidUtf8: string[] = [];
  const head = await txn(first.map((p) => rangeOp(p, atRevision)));
  collect(values, first, head.ranges, invalidUtf8);
  const revision = atRevision ?? head.revision;
  // Later chunks are pinned to the first one's revision, so the snapshot stays consistent.
  for (const part of rest) {
    const res = await txn(part.map((p) => rangeOp(p, revision)));
    collect(values, part, res.ranges, invalidUtf8);
  }
  return { values: byKey(values), revision, invalidUtf8 };
};

/** Reads every key at or below each path, all at one revision (the current one, or `atRevision`). */
export const readSnapshot = async (txn: RangeTxn, paths: readonly string[], atRevision?: string): Promise<Snapshot> => {
  const { values, revision, invalidUtf8 } = await readStoredValues(txn, paths, atRevision);
  return { values: new Map([...values].map(([k, v]) => [k, v.value])), revision, invalidUtf8 };
};
