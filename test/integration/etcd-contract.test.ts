import { createEtcdBackend } from '../../src/backends/etcd/index.js';
import { silentLogger } from '../../src/log.js';
import { describeBackendContract } from '../contract/backend-contract.js';
import { startEtcd } from '../harness/etcd.js';

describeBackendContract('etcd', async () => {
  const server = await startEtcd();
  const options = { nodes: [server.endpoint], files: [] };
  const backend = createEtcdBackend(options, silentLogger);
  // A separate client plays the outside writer.
  const writer = createEtcdBackend(options, silentLogger);
  return {
    backend,
    put: (key, value) => writer.put!(key, value),
    del: (key) => writer.delete!(key),
    putMany: async (entries) => {
      await Promise.all(entries.map(([k, v]) => writer.put!(k, v)));
    },
    restart: () => server.restart(),
    teardown: async () => {
      await backend.close();
      await writer.close();
      await server.stop();
    },
  };
});
