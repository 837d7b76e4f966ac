// The env backend against the shared contract. The environment of a running
// process cannot change from outside, so only the read cases apply.
import { createEnvBackend, keyToEnvName } from '../../src/backends/local/env.js';
import { describeBackendContract } from '../contract/backend-contract.js';

describeBackendContract(
  'env',
  async () => {
    const env: NodeJS.ProcessEnv = { PATH: '/usr/bin' };
    const backend = createEnvBackend({ nodes: [], files: [] }, undefined, env);
    return {
      backend,
      put: async (key, value) => {
        env[keyToEnvName(key)] = value;
      },
      del: async (key) => {
        delete env[keyToEnvName(key)];
      },
      teardown: () => backend.close(),
    };
  },
  { watch: false },
);
