import { createConsulBackend } from '../../src/backends/consul/index.js';
import { silentLogger } from '../../src/log.js';
import { describeBackendContract } from '../contract/backend-contract.js';
import { startConsul } from '../harness/consul.js';

describeBackendContract('consul', async () => {
  const server = await startConsul();
  const backend = createConsulBackend({ nodes: [server.address], files: [] }, silentLogger, { waitSeconds: 5, backoffMaxMs: 2_000 });
  return {
    backend,
    // The harness writes over plain HTTP, as an outside writer.
    put: (key, value) => server.kvPut(key, value),
    del: (key) => server.kvDelete(key),
    restart: () => server.restart({ downMs: 1_000 }),
    teardown: async () => {
      await backend.close();
      await server.stop();
    },
  };
});
