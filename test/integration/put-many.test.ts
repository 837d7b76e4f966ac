// putMany: several writes in one transaction, guarded by current values,
// against a real etcd and a real Consul (both read back through the backend).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, Transactions } from '../../src/backends/backend.js';
import { createConsulBackend } from '../../src/backends/consul/index.js';
import { createEtcdBackend } from '../../src/backends/etcd/index.js';
import { silentLogger } from '../../src/log.js';
import { startConsul, type ConsulServer } from '../harness/consul.js';
import { startEtcd, type EtcdServer } from '../harness/etcd.js';

interface Store {
  backend: Backend & Transactions;
  stop(): Promise<void>;
}

const STORES: Record<string, () => Promise<Store>> = {
  etcd: async () => {
    const server: EtcdServer = await startEtcd();
    const backend = createEtcdBackend({ nodes: [server.endpoint], files: [] }, silentLogger);
    return { backend, stop: async () => (await backend.close(), await server.stop()) };
  },
  consul: async () => {
    const server: ConsulServer = await startConsul();
    const backend = createConsulBackend({ nodes: [server.address], files: [] }, silentLogger);
    return { backend, stop: async () => (await backend.close(), await server.stop()) };
  },
};

describe.each(Object.keys(STORES))('putMany on %s', (name) => {
  let store: Store;
  beforeAll(async () => {
    store = await STORES[name]!();
  });
  afterAll(async () => {
    await store?.stop();
  });

  const read = async (path: string): Promise<Record<string, string>> =>
    Object.fromEntries((await store.backend.getValues([path])).values);

  it('writes and deletes several keys at once when every guard holds', async () => {
    await store.backend.put!('/t1/old', 'x');
    const ok = await store.backend.putMany(
      [
        { key: '/t1/a', value: 'one' },
        { key: '/t1/b', value: 'two words\n' },
        { key: '/t1/old', value: undefined },
      ],
      [{ key: '/t1/lock', value: undefined }, { key: '/t1/old', value: 'x' }],
    );
    expect(ok).toBe(true);
    expect(await read('/t1')).toEqual({ '/t1/a': 'one', '/t1/b': 'two words\n' });
  });

  it('writes nothing when a guard does not hold (present, absent, or another value)', async () => {
    await store.backend.put!('/t2/lock', 'theirs');
    expect(await store.backend.putMany([{ key: '/t2/a', value: 'one' }], [{ key: '/t2/lock', value: undefined }])).toBe(false);
    expect(await store.backend.putMany([{ key: '/t2/a', value: 'one' }], [{ key: '/t2/lock', value: 'mine' }])).toBe(false);
    expect(await store.backend.putMany([{ key: '/t2/a', value: 'one' }], [{ key: '/t2/none', value: 'mine' }])).toBe(false);
    expect(await read('/t2')).toEqual({ '/t2/lock': 'theirs' });
  });
});
