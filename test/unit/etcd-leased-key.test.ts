// The report key's lease across failed writes: a live lease is kept (a put
// that failed in transit may still land, bound to it), a lost one replaced.
import type { Etcd3 } from 'etcd3';
import { describe, expect, it } from 'vitest';
import type { EtcdClientRef } from '../../src/backends/etcd/client.js';
import { createEtcdLeasedKey } from '../../src/backends/etcd/leased.js';

interface FakeLease {
  id: number;
  revoked: boolean;
  released: boolean;
  puts: string[];
}

/** A client whose leases fail the next `failures` puts; `lose` marks the failing lease as lost. */
const fakeClient = (failures: number, lose: boolean) => {
  const leases: FakeLease[] = [];
  let left = failures;
  const client = {
    lease: () => {
      const l: FakeLease = { id: leases.length + 1, revoked: false, released: false, puts: [] };
      leases.push(l);
      return {
        on: () => undefined,
        revoked: () => l.revoked,
        release: () => void (l.released = true),
        revoke: async () => void (l.revoked = true),
        put: () => ({
          value: async (v: string) => {
            if (left > 0) {
              left -= 1;
              if (lose) l.revoked = true;
              throw new Error('14 UNAVAILABLE: Connection dropped');
            }
            l.puts.push(v);
          },
        }),
      };
    },
  } as unknown as Etcd3;
  const ref: EtcdClientRef = { current: () => client, renew: () => client, close: () => undefined };
  return { ref, leases };
};

describe('etcd leased key', () => {
  it('keeps a live lease when a put fails in transit, so a late put cannot leave the key on an abandoned lease', async () => {
    const { ref, leases } = fakeClient(1, false);
    const key = createEtcdLeasedKey(ref, '/r/hosts/h1', 15_000, () => undefined);
    await expect(key.set('first')).rejects.toThrow(/Connection dropped/);
    await key.set('second');
    expect(leases).toHaveLength(1);
    expect(leases[0]).toMatchObject({ released: false, puts: ['second'] });
  });

  it('replaces a lease that was lost (or never granted)', async () => {
    const { ref, leases } = fakeClient(1, true);
    const key = createEtcdLeasedKey(ref, '/r/hosts/h1', 15_000, () => undefined);
    await expect(key.set('first')).rejects.toThrow(/Connection dropped/);
    await key.set('second');
    expect(leases).toHaveLength(2);
    expect(leases[0]!.released).toBe(true);
    expect(leases[1]!.puts).toEqual(['second']);
  });
});
