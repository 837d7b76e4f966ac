// One consistent read of several subtrees: a transaction of range requests,
// so every path is read at the same revision.
import { isUtf8 } from 'node:buffer';
import type { KVClient, IRequestOp, IResponseOp, IKeyValue } from 'etcd3';
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

const rangeOp = (path: string, revision?: string): IRequestOp => ({
  request_range: { ...subtreeRange(path), ...(revision ? { revision } : {}) },
});

const chunk = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

const collect = (values: Map<string, string>, paths: readonly string[], responses: IResponseOp[], invalid: string[]): void => {
  responses.forEach((response, i) => {
    const path = paths[i] ?? '/';
    for (const kv of response.response_range?.kvs ?? ([] as IKeyValue[])) {
      const key = kv.key.toString('utf8');
      if (!isKeyUnder(key, path)) continue;
      values.set(key, kv.value.toString('utf8'));
      if (!isUtf8(kv.value)) invalid.push(key);
    }
  });
};

/** Reads every key at or below each path, all at one revision. */
export const readSnapshot = async (kv: KVClient, paths: readonly string[]): Promise<Snapshot> => {
  const wanted = collapsePaths(paths.length > 0 ? paths : ['/']);
  const [first = [], ...rest] = chunk(wanted, OPS_PER_TXN);
  const values = new Map<string, string>();
  const invalidUtf8: string[] = [];
  const head = await kv.txn({ success: first.map((p) => rangeOp(p)) });
  collect(values, first, head.responses, invalidUtf8);
  const revision = head.header.revision;
  // Later chunks are pinned to the first one's revision, so the snapshot stays consistent.
  for (const part of rest) {
    const res = await kv.txn({ success: part.map((p) => rangeOp(p, revision)) });
    collect(values, part, res.responses, invalidUtf8);
  }
  return { values: new Map([...values].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), revision, invalidUtf8 };
};
