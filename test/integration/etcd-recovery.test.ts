// The etcd watch must survive what production does to it: a killed server,
// history compacted while the client was away, a peer that stops answering
// (SIGSTOP) and a watch created while nothing answers. Each case measures how
// long recovery took and prints it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/backend.js';
import { createEtcdBackend } from '../../src/backends/etcd/index.js';
import { silentLogger } from '../../src/log.js';
import { watchAndRead, type ReadingWatch } from '../contract/backend-contract.js';
import { startEtcd, type EtcdServer } from '../harness/etcd.js';
import { startTcpProxy, type TcpProxy } from '../harness/tcp-proxy.js';
import { waitFor } from '../harness/wait.js';

const report = (what: string, ms: number): void => console.info(`etcd recovery: ${what}: ${ms} ms`);

describe('etcd watch recovery', () => {
  let server: EtcdServer;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    server = await startEtcd();
  });
  afterEach(async () => {
    server.resume();
    for (const clean of cleanups.splice(0).reverse()) await clean();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const backendAt = (endpoint: string): Backend => {
    const backend = createEtcdBackend({ nodes: [endpoint], files: [] }, silentLogger);
    cleanups.push(() => backend.close());
    return backend;
  };
  const watchFrom = async (backend: Backend, path: string): Promise<ReadingWatch> => {
    const snap = await backend.getValues([path]);
    const w = await watchAndRead(backend, path, snap.revision);
    cleanups.push(() => w.close());
    return w;
  };
  const proxyToServer = async (): Promise<TcpProxy> => {
    const proxy = await startTcpProxy(server.clientPort);
    cleanups.push(() => proxy.close());
    return proxy;
  };
  const seen = (w: ReadingWatch, key: string, value: string) => () => w.latest()?.values.get(key) === value;

  it('sees a change made after etcd was killed and restarted', async () => {
    const w = await watchFrom(backendAt(server.endpoint), '/r1');
    await server.kill();
    const noticed = await waitFor('the watch to report the lost server', () => w.errors().length > 0, 30_000);
    report('SIGKILL noticed after', noticed);
    await server.restart();
    const put = Date.now();
    await server.etcdctl('put', '/r1/after', 'restart');
    // waitFor fails the test when the change is not seen within 30 s.
    await waitFor('the change after the restart', seen(w, '/r1/after', 'restart'), 30_000);
    report('change after kill+restart seen', Date.now() - put);
  });

  it('recovers when its revision was compacted while it was disconnected', async () => {
    const proxy = await proxyToServer();
    const w = await watchFrom(backendAt(proxy.endpoint), '/r2');
    proxy.setMode('refuse');
    await waitFor('the watch to report the dropped connection', () => w.errors().length > 0, 30_000);
    await server.etcdctl('put', '/r2/during', 'outage');
    await server.etcdctl('put', '/elsewhere', 'x');
    await server.etcdctl('compact', String(await server.revision()));
    const back = Date.now();
    proxy.setMode('forward');
    await waitFor('the resync to read the key written during the outage', seen(w, '/r2/during', 'outage'), 30_000);
    report('compacted watch resynced after reconnect', Date.now() - back);
    // etcd confirms the watch first and reports the compaction right after it.
    await waitFor('the compaction to be reported', () => w.errors().some((e) => e.message.includes('compacted')), 10_000);
    await server.etcdctl('put', '/r2/after', 'compaction');
    await waitFor('the change after the compaction', seen(w, '/r2/after', 'compaction'), 30_000);
  });

  it('recovers a watch asked to start at an already compacted revision', async () => {
    const backend = backendAt(server.endpoint);
    const old = await backend.getValues(['/r3']);
    await server.etcdctl('put', '/r3/a', '1');
    await server.etcdctl('put', '/r3/a', '2');
    await server.etcdctl('compact', String(await server.revision()));
    const w = await watchAndRead(backend, '/r3', old.revision);
    cleanups.push(() => w.close());
    await waitFor('the resync after the compacted start', seen(w, '/r3/a', '2'), 30_000);
    await server.etcdctl('put', '/r3/a', '3');
    await waitFor('a change after the compacted start', seen(w, '/r3/a', '3'), 30_000);
  });

  it('notices a peer that stops answering (SIGSTOP) and sees the change after SIGCONT', async () => {
    const w = await watchFrom(backendAt(server.endpoint), '/r4');
    const stopped = Date.now();
    server.suspend();
    const noticed = await waitFor('the keepalive to report the silent peer', () => w.errors().length > 0, 14_000);
    report('SIGSTOP noticed after', noticed);
    await waitFor('15 s of silence', () => Date.now() - stopped >= 15_000, 20_000, 250);
    server.resume();
    const put = Date.now();
    await server.etcdctl('put', '/r4/after', 'sigcont');
    await waitFor('the change after SIGCONT', seen(w, '/r4/after', 'sigcont'), 30_000);
    report('change after SIGCONT seen', Date.now() - put);
  }, 90_000);

  it('establishes a watch created while nothing answers once the path clears', async () => {
    const proxy = await proxyToServer();
    const backend = backendAt(proxy.endpoint);
    proxy.setMode('blackhole');
    const asked = Date.now();
    const w = await watchAndRead(backend, '/r5');
    cleanups.push(() => w.close());
    report('watch() returned against a silent peer after', Date.now() - asked);
    expect(w.errors().length).toBeGreaterThan(0);
    proxy.setMode('forward');
    await server.etcdctl('put', '/r5/a', 'late');
    const ms = await waitFor('the change once the peer answers', seen(w, '/r5/a', 'late'), 30_000);
    report('change seen after the peer came back', ms);
  }, 90_000);
});
