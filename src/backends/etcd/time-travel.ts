// etcd keeps every revision until compaction: reads at a past revision, and
// a revert that writes a subtree back to a past revision in one transaction
// guarded by every current key's mod revision, so a write made since the
// read fails the revert instead of being overwritten.
import type { Etcd3, ICompare, IRequestOp, KVClient } from 'etcd3';
import { BackendError } from '../../errors.js';
import type { KeyChange, RevertPlan } from '../backend.js';
import { collapsePaths, isKeyUnder } from '../keys.js';
import { describeEtcdError } from './errors.js';
import { etcd3RangeTxn, readStoredValues, subtreeRange } from './snapshot.js';

// etcd's default --max-txn-ops is 128 (compares and writes are counted apart).
const MAX_TXN_OPS = 128;

const isCompactedError = (err: unknown): boolean => /required revision has been compacted/i.test(describeEtcdError(err));
const isFutureError = (err: unknown): boolean => /required revision is a future revision/i.test(describeEtcdError(err));

/**
 * The revision history was compacted at. etcd's range error does not say;
 * a watch asked to start at the lost revision is refused with it.
 */
export const compactionRevision = async (client: Etcd3, revision: string): Promise<string | undefined> => {
  const stream = await client.watchClient.watch();
  try {
    return await new Promise<string | undefined>((resolve, reject) => {
      const timer = setTimeout(() => resolve(undefined), 5_000);
      // etcd confirms the watch first, then cancels it naming the compaction revision.
      stream.on('data', (res: { canceled?: boolean; compact_revision?: string }) => {
        const compacted = res.compact_revision && res.compact_revision !== '0' ? res.compact_revision : undefined;
        if (!compacted && !res.canceled) return;
        clearTimeout(timer);
        resolve(compacted);
      });
      stream.on('error', (err: Error) => {
        clearTimeout(timer);
        reject(err);
      });
      stream.write({ create_request: { ...subtreeRange('/'), start_revision: revision } });
    });
  } finally {
    stream.end();
    stream.cancel();
  }
};

/** Turns a failed read at `revision` into an error that says why. */
export const explainRevisionError = async (client: Etcd3, revision: string, endpoints: string, err: unknown): Promise<unknown> => {
  if (isFutureError(err)) return new BackendError('etcd', endpoints, `revision ${revision} is ahead of the store's current revision`, { cause: err });
  if (!isCompactedError(err)) return err;
  const compacted = await compactionRevision(client, revision).catch(() => undefined);
  const detail = compacted
    ? `revision ${revision} was compacted (history is kept from revision ${compacted}, the compaction revision)`
    : `revision ${revision} was compacted`;
  return new BackendError('etcd', endpoints, detail, { cause: err });
};

const sameValue = (a: string | undefined, b: string | undefined): boolean => a === b;

const diffValues = (then: Map<string, { value: string }>, now: Map<string, { value: string }>): KeyChange[] => {
  const keys = [...new Set([...then.keys(), ...now.keys()])].sort();
  return keys
    .map((key) => ({ key, from: now.get(key)?.value, to: then.get(key)?.value }))
    .filter((c) => !sameValue(c.from, c.to));
};

export const planEtcdRevert = async (kv: KVClient, endpoints: string, paths: readonly string[], revision: string): Promise<RevertPlan> => {
  const wanted = collapsePaths(paths);
  const then = await readStoredValues(etcd3RangeTxn(kv), wanted, revision);
  const now = await readStoredValues(etcd3RangeTxn(kv), wanted);
  const changes = diffValues(then.values, now.values);
  // Every key there now keeps its mod revision; a key created under a path since the read fails the range compare.
  const compare: ICompare[] = [
    ...[...now.values].map(([key, v]): ICompare => ({ key: Buffer.from(key), target: 'Mod', result: 'Equal', mod_revision: v.modRevision })),
    ...wanted.map((p): ICompare => ({ ...subtreeRange(p), target: 'Mod', result: 'Less', mod_revision: String(BigInt(now.revision) + 1n) })),
  ];
  const success: IRequestOp[] = changes.map((c) =>
    c.to === undefined
      ? { request_delete_range: { key: Buffer.from(c.key) } }
      : { request_put: { key: Buffer.from(c.key), value: Buffer.from(c.to) } },
  );
  return {
    changes,
    readRevision: now.revision,
    apply: async () => {
      if (compare.length > MAX_TXN_OPS || success.length > MAX_TXN_OPS) {
        throw new BackendError('etcd', endpoints, `a revert of more than ${MAX_TXN_OPS} keys does not fit in one transaction (etcd --max-txn-ops)`);
      }
      const res = await kv.txn({ compare, success });
      if (!res.succeeded) {
        const moved = await readStoredValues(etcd3RangeTxn(kv), wanted);
        const changed = [...new Set([...moved.values.keys(), ...now.values.keys()])]
          .filter((k) => moved.values.get(k)?.modRevision !== now.values.get(k)?.modRevision)
          .filter((k) => wanted.some((p) => isKeyUnder(k, p)));
        throw new BackendError(
          'etcd',
          endpoints,
          `revert to revision ${revision}: ${changed.length ? changed.join(', ') : 'keys'} changed since they were read at revision ${now.revision}; nothing was written`,
        );
      }
      return res.header.revision;
    },
  };
};
