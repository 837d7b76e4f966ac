// A key held by a Consul session with a TTL (behavior "delete"): renewed in
// the background at half the TTL; when the owner dies, Consul deletes the
// key once the session expires. Consul refuses TTLs under 10 s.
import type { LeasedKey } from '../backend.js';
import type { ConsulConnection, Purpose } from './client.js';
import { toWireKey } from './kv.js';

export const MIN_SESSION_TTL_MS = 10_000;

const statusOf = (err: unknown): number | undefined =>
  ((err as { cause?: { response?: { statusCode?: number } } }).cause?.response?.statusCode);

export const createConsulLeasedKey = (
  conn: ConsulConnection,
  key: string,
  ttlMs: number,
  requestTimeoutMs: number,
  onLost: (err: Error) => void,
): LeasedKey => {
  const wireKey = toWireKey(key);
  const ttlSeconds = Math.ceil(Math.max(ttlMs, MIN_SESSION_TTL_MS) / 1000);
  const sessionPurpose: Purpose = { action: `creating a session for key "${wireKey}"`, permission: 'session:write' };
  const writePurpose: Purpose = { action: `writing key "${wireKey}" under a session`, permission: 'key:write' };
  let session: string | undefined;
  let renewTimer: NodeJS.Timeout | undefined;

  const lose = (err: Error): void => {
    session = undefined;
    clearInterval(renewTimer);
    onLost(err);
  };

  const renew = async (id: string): Promise<void> => {
    try {
      await conn.send(sessionPurpose, requestTimeoutMs, (api, o) => api.session.renew({ ...o, id }));
    } catch (err) {
      // 404: Consul no longer knows the session (it expired); anything else is tried again at the next tick.
      if (statusOf(err) === 404 && session === id) lose(err as Error);
    }
  };

  const open = async (): Promise<string> => {
    if (session) return session;
    const answer = await conn.send<{ ID: string }>(sessionPurpose, requestTimeoutMs, (api, o) =>
      api.session.create({ ...o, name: `switchyard ${wireKey}`, ttl: `${ttlSeconds}s`, behavior: 'delete', lockdelay: '0s' }),
    );
    const id = answer.body?.ID;
    if (!id) throw conn.fail(sessionPurpose, `${sessionPurpose.action} failed: no session ID in the answer`);
    session = id;
    clearInterval(renewTimer);
    renewTimer = setInterval(() => void renew(id), (ttlSeconds * 1000) / 2);
    renewTimer.unref();
    return id;
  };

  return {
    set: async (value) => {
      const id = await open();
      const answer = await conn.send<boolean>(writePurpose, requestTimeoutMs, (api, o) => api.kv.set({ ...o, key: wireKey, value, acquire: id }));
      if (answer.body !== true) {
        // Another session holds the key (a second instance with the same --host-id).
        throw conn.fail(writePurpose, `${writePurpose.action} failed: the key is held by another session`);
      }
    },
    close: async () => {
      clearInterval(renewTimer);
      const id = session;
      session = undefined;
      if (id) await conn.send(sessionPurpose, requestTimeoutMs, (api, o) => api.session.destroy({ ...o, id }));
    },
  };
};
