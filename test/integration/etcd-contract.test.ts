import { createEtcdBackend } from '../../src/backends/etcd/index.js';
import { silentLogger } from '../../src/log.js';
import { describeBackendContract } from '../contract/backend-contract.js';
import { etcdContractFixture } from '../contract/etcd-fixture.js';

describeBackendContract('etcd', () => etcdContractFixture((options) => createEtcdBackend(options, silentLogger)));
