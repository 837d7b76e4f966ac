// Keys bound to an etcd lease (the client keeps it alive in the background),
// and the newest mod revision under a set of paths.
import type { KVClient, Lease } from 'etcd3';
import type { LeasedKey } from '../backend.js';
import { collapsePaths, isKeyUnder, normalizeKey } from '../keys.js';
import type { EtcdClientRef } from './client.js';
import { subtreeRange } from './snapshot.js';

export const createEtcdLeasedKey = (clients: EtcdClientRef, key: string, ttlMs: number, onLost: (err: Error) => void): LeasedKey => {
  // etcd counts a lease's TTL in whole seconds.
  const ttlSeconds = Math.max(1, Math.ceil(ttlMs / 1000));
  let lease: Lease | undefined;
  const current = (): Lease => {
    if (lease && !lease.revoked()) return lease;
    const fresh = clients.current().lease(ttlSeconds, { autoKeepAlive: true });
    fresh.on('lost', (err) => {
      if (lease === fresh) lease = undefined;
      onLost(err);
    });
    lease = fresh;
    return fresh;
  };
  return {
    set: async (value) => {
      const l = current();
      try {
        await l.put(normalizeKey(key)).value(value);
      } catch (err) {
        // A lease that could not be granted (or was lost) is not kept: the next
        // set tries a new one. A live lease stays: a put that failed in transit
        // may still be applied later, and the key must then hang on a lease that
        // is kept alive, not on an abandoned one whose expiry deletes it.
        if (l.revoked()) {
          if (lease === l) lease = undefined;
          l.release();
        }
        throw err;
      }
    },
    close: async () => {
      const l = lease;
      lease = undefined;
      if (l && !l.revoked()) await l.revoke();
    },
  };
};

/** The newest mod revision of any key at or below the paths, "0" when there is none. */
export const latestModRevision = async (kv: KVClient, paths: readonly string[]): Promise<string> => {
  const wanted = collapsePaths(paths.length > 0 ? paths : ['/']);
  let latest = 0n;
  for (const path of wanted) {
    const res = await kv.range({ ...subtreeRange(path), keys_only: true });
    for (const item of res.kvs) {
      if (!isKeyUnder(item.key.toString('utf8'), path)) continue;
      const rev = BigInt(item.mod_revision);
      if (rev > latest) latest = rev;
    }
  }
  return String(latest);
};
