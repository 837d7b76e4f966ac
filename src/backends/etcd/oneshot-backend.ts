// The etcd backend of a run that reads once and exits (--onetime): one
// transaction of range reads on etcd's gRPC port through a client of its own
// (oneshot-client.ts), so the run never loads the etcd3 client. A watch
// needs the full backend.
import { BackendError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Backend, BackendOptions, Snapshot, WatchHandle } from '../backend.js';
import { withTimeout } from '../retry.js';
import { toBackendError } from './errors.js';
import { createOneShotClient } from './oneshot-client.js';
import { etcdNodes, etcdSettings } from './options.js';
import { readSnapshot } from './snapshot.js';

export const createEtcdOneShotBackend = (options: BackendOptions, logger: Logger): Backend => {
  const settings = etcdSettings(options);
  const endpoints = etcdNodes(options);
  const client = createOneShotClient(options, settings, logger.child({ backend: 'etcd' }));
  // Auth, then the call on each endpoint in turn: one deadline apiece.
  const callBudgetMs = settings.requestTimeoutMs * (endpoints.length + 1);

  const read = async (paths: readonly string[]): Promise<Snapshot> => {
    try {
      return await withTimeout(readSnapshot(client.txn, paths), callBudgetMs, () => new Error(`no answer within ${callBudgetMs} ms`));
    } catch (err) {
      throw toBackendError(err, endpoints, `read ${paths.join(', ')}`);
    }
  };

  return {
    name: 'etcd',
    endpoints,
    getValues: read,
    watch: (path: string): Promise<WatchHandle> =>
      Promise.reject(new BackendError('etcd', endpoints.join(','), `watch ${path}: a one-shot run reads once and has no watch`)),
    close: (): Promise<void> => {
      client.close();
      return Promise.resolve();
    },
  };
};
