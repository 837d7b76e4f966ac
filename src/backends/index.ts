// The backend registry. Each backend's module (and its client library) is
// imported only when that backend is used, so `--onetime` starts fast. Each
// backend applies its own default endpoint.
import { ConfigError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Backend, BackendOptions } from './backend.js';

export const BACKEND_NAMES = ['etcd', 'consul', 'file', 'env'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export const loadBackend = async (name: string, options: BackendOptions, logger: Logger): Promise<Backend> => {
  switch (name) {
    case 'etcd':
      // A run that reads once needs no watch: a Txn over HTTP/2
      // answers before the etcd3 client would have loaded.
      if (options.oneShot) return (await import('./etcd/oneshot-backend.js')).createEtcdOneShotBackend(options, logger);
      return (await import('./etcd/index.js')).createEtcdBackend(options, logger);
    case 'consul':
      return (await import('./consul/index.js')).createConsulBackend(options, logger);
    case 'file':
      return (await import('./local/file.js')).createFileBackend(options, logger);
    case 'env':
      return (await import('./local/env.js')).createEnvBackend(options, logger);
    default:
      throw new ConfigError(undefined, `unknown backend "${name}"; expected one of ${BACKEND_NAMES.join(', ')}`, {
        key: 'backend',
      });
  }
};
