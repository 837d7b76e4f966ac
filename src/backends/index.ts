// The backend registry. Each backend's module (and its client library) is
// imported only when that backend is used, so `--onetime` starts fast.
import { ConfigError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Backend, BackendOptions } from './backend.js';

export const BACKEND_NAMES = ['etcd', 'consul', 'file', 'env'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export const DEFAULT_NODES: Record<BackendName, string[]> = {
  etcd: ['http://127.0.0.1:2379'],
  consul: ['http://127.0.0.1:8500'],
  file: [],
  env: [],
};

export const isBackendName = (name: string): name is BackendName => (BACKEND_NAMES as readonly string[]).includes(name);

export const loadBackend = async (name: string, options: BackendOptions, logger: Logger): Promise<Backend> => {
  const opts = { ...options, nodes: options.nodes.length > 0 ? options.nodes : DEFAULT_NODES[name as BackendName] ?? [] };
  switch (name) {
    case 'etcd':
      return (await import('./etcd.js')).createEtcdBackend(opts, logger);
    case 'consul':
      return (await import('./consul.js')).createConsulBackend(opts, logger);
    case 'file':
      return (await import('./file.js')).createFileBackend(opts, logger);
    case 'env':
      return (await import('./env.js')).createEnvBackend(opts, logger);
    default:
      throw new ConfigError(undefined, `unknown backend "${name}"; expected one of ${BACKEND_NAMES.join(', ')}`, {
        key: 'backend',
      });
  }
};
