// The contract fixture for an etcd backend: a fresh etcd, the backend under
// test, and the full backend (etcd3) as the outside writer.
import type { Backend, BackendOptions } from '../../src/backends/backend.js';
import { createEtcdBackend } from '../../src/backends/etcd/index.js';
import { silentLogger } from '../../src/log.js';
import { startEtcd } from '../harness/etcd.js';
import type { ContractFixture } from './backend-contract.js';

export const etcdContractFixture = async (make: (options: BackendOptions) => Backend): Promise<ContractFixture> => {
  const server = await startEtcd();
  const options = { nodes: [server.endpoint], files: [] };
  const backend = make(options);
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
};
