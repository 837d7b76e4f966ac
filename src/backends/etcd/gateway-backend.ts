// The etcd backend of a run that reads once and exits (--onetime): reads
// through etcd's v3 JSON gateway (gateway-client.ts), so the run never loads
// the gRPC client. When the gateway itself cannot reach etcd (under
// --client-cert-auth it dials etcd's gRPC port with the server certificate,
// which fails when that certificate is not good for client auth), the read
// is done again through the gRPC client. A watch needs the full backend.
import { BackendError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Backend, BackendOptions, Snapshot, WatchHandle } from '../backend.js';
import { withTimeout } from '../retry.js';
import { describeEtcdError, toBackendError } from './errors.js';
import { createGatewayClient, isGatewayUnavailable } from './gateway-client.js';
import { etcdNodes, etcdSettings } from './options.js';
import { readSnapshot } from './snapshot.js';

export const createEtcdGatewayBackend = (options: BackendOptions, logger: Logger): Backend => {
  const settings = etcdSettings(options);
  const endpoints = etcdNodes(options);
  const log = logger.child({ backend: 'etcd' });
  const client = createGatewayClient(options, settings, log);
  let full: Promise<Backend> | undefined;
  const fullBackend = (): Promise<Backend> => (full ??= import('./index.js').then((m) => m.createEtcdBackend({ ...options, oneShot: false }, logger)));
  // Auth, then the call on each endpoint in turn: one deadline apiece.
  const callBudgetMs = settings.requestTimeoutMs * (endpoints.length + 1);

  const read = async (paths: readonly string[]): Promise<Snapshot> => {
    try {
      return await withTimeout(readSnapshot(client.txn, paths), callBudgetMs, () => new Error(`no answer within ${callBudgetMs} ms`));
    } catch (err) {
      if (!isGatewayUnavailable(err)) throw toBackendError(err, endpoints, `read ${paths.join(', ')}`);
      log.debug('the JSON gateway could not reach etcd; reading through the gRPC client', { error: describeEtcdError(err) });
      return (await fullBackend()).getValues(paths);
    }
  };

  return {
    name: 'etcd',
    endpoints,
    getValues: read,
    watch: (path: string): Promise<WatchHandle> =>
      Promise.reject(new BackendError('etcd', endpoints.join(','), `watch ${path}: a one-shot run reads through the JSON gateway and has no watch`)),
    close: async (): Promise<void> => {
      client.close();
      if (full) await (await full).close();
    },
  };
};
