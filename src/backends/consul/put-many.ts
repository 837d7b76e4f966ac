// Several writes in one Consul transaction (PUT /v1/txn). A guard on a value
// reads the key first and then checks, inside the transaction, that its
// ModifyIndex has not moved since; "absent" is check-not-exists.
import type { KeyGuard, KeyWrite } from '../backend.js';
import type { ConsulConnection } from './client.js';
import { toWireKey } from './kv.js';

interface KvEntry {
  Value: string | null;
  ModifyIndex: number;
}

interface TxnOp {
  KV: { Verb: string; Key: string; Value?: string; Index?: number };
}

/** The transaction op for a guard, or false when the guard already does not hold. */
const guardOp = async (conn: ConsulConnection, guard: KeyGuard, timeoutMs: number): Promise<TxnOp | false> => {
  const key = toWireKey(guard.key);
  const answer = await conn.send<KvEntry>({ action: `reading key "${key}"`, permission: 'key:read' }, timeoutMs, (api, o) => api.kv.get({ ...o, key }));
  const entry = answer.body;
  if (guard.value === undefined) return entry === undefined ? { KV: { Verb: 'check-not-exists', Key: key } } : false;
  if (entry === undefined || (entry.Value ?? '') !== guard.value) return false;
  return { KV: { Verb: 'check-index', Key: key, Index: entry.ModifyIndex } };
};

const writeOp = (write: KeyWrite): TxnOp => {
  const key = toWireKey(write.key);
  return write.value === undefined
    ? { KV: { Verb: 'delete', Key: key } }
    : { KV: { Verb: 'set', Key: key, Value: Buffer.from(write.value).toString('base64') } };
};

/** Consul answers 409 when a check of the transaction failed (nothing was written). */
const isRolledBack = (err: unknown): boolean => {
  const cause = (err as { cause?: { response?: { statusCode?: number } } }).cause;
  return cause?.response?.statusCode === 409;
};

export const consulPutMany = async (
  conn: ConsulConnection,
  writes: readonly KeyWrite[],
  guards: readonly KeyGuard[],
  timeoutMs: number,
): Promise<boolean> => {
  const checks: TxnOp[] = [];
  for (const guard of guards) {
    const op = await guardOp(conn, guard, timeoutMs);
    if (op === false) return false;
    checks.push(op);
  }
  const ops = [...checks, ...writes.map(writeOp)];
  const purpose = { action: `writing keys ${writes.map((w) => `"${toWireKey(w.key)}"`).join(', ')} in one transaction`, permission: 'key:write' };
  try {
    await conn.send(purpose, timeoutMs, (api, o) => api.transaction.create(ops, o));
    return true;
  } catch (err) {
    if (guards.length > 0 && isRolledBack(err)) return false;
    throw err;
  }
};
