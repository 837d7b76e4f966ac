// The one-shot etcd backend (--onetime): reads through etcd's v3 JSON gateway
// instead of the gRPC client, and has no watch.
import { createEtcdGatewayBackend } from '../../src/backends/etcd/gateway-backend.js';
import { silentLogger } from '../../src/log.js';
import { describeBackendContract } from '../contract/backend-contract.js';
import { etcdContractFixture } from '../contract/etcd-fixture.js';

describeBackendContract(
  'etcd (JSON gateway, one-shot)',
  () => etcdContractFixture((options) => createEtcdGatewayBackend(options, silentLogger)),
  { unsupported: { watch: 'a --onetime run reads once and exits; the daemon watches through the etcd3 client' } },
);
