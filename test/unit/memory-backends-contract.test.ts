// The in-memory stores the unit tests use in place of etcd or Consul pass
// the same contract as the real ones, so what a unit test shows with them
// holds for a real store; what they cannot do is declared and shown.
import { describeBackendContract } from '../contract/backend-contract.js';
import { createMemoryBackend } from './bluegreen-helpers.js';
import { createMemoryStore } from './memory-store.js';

const NO_SERVER = 'an in-memory store has no server to restart';

describeBackendContract(
  'memory store (change loop)',
  async () => {
    const store = createMemoryStore();
    return {
      backend: store.backend,
      put: async (key, value) => store.put(key, value),
      del: async (key) => store.del(key),
      teardown: () => store.backend.close(),
      watchTimeoutMs: 2_000,
    };
  },
  { unsupported: { restart: NO_SERVER } },
);

describeBackendContract(
  'memory backend (blue/green)',
  async () => {
    const backend = createMemoryBackend();
    return {
      backend,
      put: async (key, value) => void backend.values.set(key, value),
      del: async (key) => void backend.values.delete(key),
      teardown: () => backend.close(),
    };
  },
  { unsupported: { watch: 'blue/green operations only read and write; its watch() throws', restart: NO_SERVER } },
);
