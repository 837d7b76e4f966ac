// The one-shot etcd backend (--onetime): reads with a Txn of its own over
// node:http2 instead of the etcd3 client, and has no watch.
import { createEtcdOneShotBackend } from '../../src/backends/etcd/oneshot-backend.js';
import { silentLogger } from '../../src/log.js';
import { describeBackendContract } from '../contract/backend-contract.js';
import { etcdContractFixture } from '../contract/etcd-fixture.js';

describeBackendContract(
  'etcd (one-shot, own gRPC calls)',
  () => etcdContractFixture((options) => createEtcdOneShotBackend(options, silentLogger)),
  { unsupported: { watch: 'a --onetime run reads once and exits; the daemon watches through the etcd3 client' } },
);
