// The env backend against the shared contract. The environment of a running
// process cannot change from outside and there is no server: the watch and
// restart cases are declared unsupported, and shown to fail.
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
  {
    unsupported: {
      watch: 'the environment of a running process does not change from outside',
      restart: 'there is no server to restart',
    },
  },
);
