// Several writes in one etcd transaction, guarded by the current values of
// some keys (value equal, or create revision 0 for "absent").
import type { ICompare, IRequestOp, KVClient } from 'etcd3';
import type { KeyGuard, KeyWrite } from '../backend.js';
import { normalizeKey } from '../keys.js';

const compareOf = (guard: KeyGuard): ICompare => {
  const key = Buffer.from(normalizeKey(guard.key));
  return guard.value === undefined
    ? { key, target: 'Create', result: 'Equal', create_revision: '0' }
    : { key, target: 'Value', result: 'Equal', value: Buffer.from(guard.value) };
};

const requestOf = (write: KeyWrite): IRequestOp => {
  const key = Buffer.from(normalizeKey(write.key));
  return write.value === undefined ? { request_delete_range: { key } } : { request_put: { key, value: Buffer.from(write.value) } };
};

export const etcdPutMany = async (kv: KVClient, writes: readonly KeyWrite[], guards: readonly KeyGuard[]): Promise<boolean> => {
  const res = await kv.txn({ compare: guards.map(compareOf), success: writes.map(requestOf) });
  return res.succeeded;
};
