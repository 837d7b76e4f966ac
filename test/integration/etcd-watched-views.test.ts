// After a change, the watch daemon's read is served from what the watch
// delivered: no Txn reaches etcd, and the snapshot is the store at the
// change's revision. A write of this process is read back from etcd.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Etcd3 } from 'etcd3';
import { createEtcdBackend } from '../../src/backends/etcd/index.js';
import { silentLogger } from '../../src/log.js';
import { startEtcd, type EtcdServer } from '../harness/etcd.js';
import { waitFor } from '../harness/wait.js';

/** Txn RPCs etcd has started so far (reads of the backend are Txn calls). */
const txnCount = async (endpoint: string): Promise<number> => {
  const text = await (await fetch(`${endpoint}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('grpc_server_started_total') && l.includes('grpc_method="Txn"'));
  return Number(line?.split(' ').at(-1) ?? 0);
};

describe('etcd reads served from the watch', () => {
  let server: EtcdServer;
  let writer: Etcd3;
  beforeAll(async () => {
    server = await startEtcd();
    writer = new Etcd3({ hosts: server.endpoint });
  });
  afterAll(async () => {
    writer?.close();
    await server?.stop();
  });

  it('reads nothing after a change, and the snapshot carries the change revision', async () => {
    await writer.put('/v/a').value('1');
    const backend = createEtcdBackend({ nodes: [server.endpoint], files: [] }, silentLogger);
    let changes = 0;
    const watch = await backend.watch('/v', { onChange: () => (changes += 1), onError: () => undefined });
    try {
      const first = await backend.getValues(['/v']);
      expect([...first.values]).toEqual([['/v/a', '1']]);
      const before = await txnCount(server.endpoint);
      for (const [key, value] of [['/v/b', '2'], ['/v/a', '3']] as const) {
        const seen = changes;
        const res = await writer.put(key).value(value).exec();
        await waitFor(`the change of ${key}`, () => changes > seen, 10_000);
        const snap = await backend.getValues(['/v']);
        expect(snap.revision).toBe(res.header.revision);
      }
      await writer.delete().key('/v/b');
      await waitFor('the delete', async () => !(await backend.getValues(['/v'])).values.has('/v/b'), 10_000);
      expect([...(await backend.getValues(['/v'])).values]).toEqual([['/v/a', '3']]);
      expect(await txnCount(server.endpoint)).toBe(before);
      // The first snapshot kept its revision's values while the view moved on.
      expect([...first.values]).toEqual([['/v/a', '1']]);

      // This process's own write is read back from etcd, not from the view.
      await backend.put?.('/v/a', '4');
      expect((await backend.getValues(['/v'])).values.get('/v/a')).toBe('4');
      expect(await txnCount(server.endpoint)).toBeGreaterThan(before);
    } finally {
      await watch.close();
      await backend.close();
    }
  });
});
