// One consistent read of several subtrees: a transaction of range requests,
// so every path is read at the same revision. The transport is the caller's:
// the etcd3 gRPC client (etcd3RangeTxn) or the one-shot client's own calls (oneshot-client.ts).
import { isUtf8 } from 'node:buffer';
import type { KVClient } from 'etcd3';
import type { Snapshot } from '../backend.js';
import { collapsePaths, normalizeKey } from '../keys.js';

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

/**
 * Told each key a transaction read: the index of its range in the request,
 * key and value decoded as UTF-8, whether the value's bytes were valid UTF-8,
 * and the revision it was last written at (a number when exact as one, else
 * decimal text).
 */
export type KeyVisitor = (range: number, key: string, value: string, validUtf8: boolean, modRevision: number | string) => void;

/** One transaction of range reads: every key of each range to `visit`, ranges in request order; resolves to the revision read. */
export type RangeTxn = (ranges: RangeRequest[], visit: KeyVisitor) => Promise<string>;

/** RangeTxn over the etcd3 client. */
export const etcd3RangeTxn =
  (kv: KVClient): RangeTxn =>
  async (ranges, visit) => {
    const res = await kv.txn({ success: ranges.map((r) => ({ request_range: r })) });
    res.responses.forEach((r, i) => {
      for (const kv of r.response_range?.kvs ?? []) visit(i, kv.key.toString('utf8'), kv.value.toString('utf8'), isUtf8(kv.value), kv.mod_revision);
    });
    return res.header.revision;
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

/** One key as read: its value decoded as UTF-8, whether its bytes were valid UTF-8, and the revision it was last written at. */
type TakeKey = (key: string, value: string, validUtf8: boolean, modRevision: number | string) => void;

/** A visitor that hands `take` each key read at or below its range's path (a range also holds siblings such as "/app/live-x"). */
const keysUnder = (paths: readonly string[], take: TakeKey): KeyVisitor => {
  // The paths are normalized once per range, not once per key.
  const normalized = paths.map((p) => normalizeKey(p));
  const below = normalized.map((p) => p + '/');
  return (range, key, value, validUtf8, modRevision) => {
    const path = normalized[range] ?? '/';
    if (path === '/' || key === path || key.startsWith(below[range] as string)) take(key, value, validUtf8, modRevision);
  };
};

const compareKeys = <T>([a]: [string, T], [b]: [string, T]): number => (a < b ? -1 : a > b ? 1 : 0);

/** The map in key order: etcd answers each range sorted, so usually it already is and is kept as it is. */
const byKey = <T>(values: Map<string, T>): Map<string, T> => {
  let previous: string | undefined;
  for (const key of values.keys()) {
    if (previous !== undefined && previous > key) return new Map([...values].sort(compareKeys));
    previous = key;
  }
  return values;
};

/** Every range at or below each path, all at one revision (`atRevision`, or the current one); returns the revision read. */
const readRanges = async (txn: RangeTxn, paths: readonly string[], atRevision: string | undefined, take: TakeKey): Promise<string> => {
  const wanted = collapsePaths(paths.length > 0 ? paths : ['/']);
  const [first = [], ...rest] = chunk(wanted, OPS_PER_TXN);
  const headRevision = await txn(
    first.map((p) => rangeOp(p, atRevision)),
    keysUnder(first, take),
  );
  const revision = atRevision ?? headRevision;
  // Later chunks are pinned to the first one's revision, so the snapshot stays consistent.
  for (const part of rest) {
    await txn(
      part.map((p) => rangeOp(p, revision)),
      keysUnder(part, take),
    );
  }
  return revision;
};

/**
 * Every key at or below each path with its mod revision, all at one revision:
 * `atRevision`, or the current one. Returns the revision read.
 */
export const readStoredValues = async (
  txn: RangeTxn,
  paths: readonly string[],
  atRevision?: string,
): Promise<{ values: Map<string, StoredValue>; revision: string; invalidUtf8: string[] }> => {
  const values = new Map<string, StoredValue>();
  const invalidUtf8: string[] = [];
  const revision = await readRanges(txn, paths, atRevision, (key, value, validUtf8, modRevision) => {
    values.set(key, { value, modRevision: String(modRevision) });
    if (!validUtf8) invalidUtf8.push(key);
  });
  return { values: byKey(values), revision, invalidUtf8 };
};

/** Reads every key at or below each path, all at one revision (the current one, or `atRevision`). */
export const readSnapshot = async (txn: RangeTxn, paths: readonly string[], atRevision?: string): Promise<Snapshot> => {
  // Straight into the map of values: no object per key on the way.
  const values = new Map<string, string>();
  const invalidUtf8: string[] = [];
  // etcd answers each range in key order, and the ranges come in order: the map is sorted unless a key says otherwise.
  let previous = '';
  let sorted = true;
  const revision = await readRanges(txn, paths, atRevision, (key, value, validUtf8) => {
    if (key < previous) sorted = false;
    previous = key;
    values.set(key, value);
    if (!validUtf8) invalidUtf8.push(key);
  });
  return { values: sorted ? values : byKey(values), revision, invalidUtf8 };
};
