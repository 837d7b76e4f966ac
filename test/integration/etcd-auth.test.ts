// etcd with auth (short-lived simple tokens) and with TLS: the watch must
// re-authenticate on its own when its token has expired.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, BackendOptions } from '../../src/backends/backend.js';
import { createEtcdBackend } from '../../src/backends/etcd/index.js';
import { BackendError } from '../../src/errors.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { watchAndRead, type ReadingWatch } from '../contract/backend-contract.js';
import { startEtcd, type EtcdServer } from '../harness/etcd.js';
import { startTcpProxy } from '../harness/tcp-proxy.js';
import { sleep, waitFor } from '../harness/wait.js';

const TOKEN_TTL_S = 2;
const report = (what: string, ms: number): void => console.info(`etcd auth: ${what}: ${ms} ms`);

describe('etcd with auth', () => {
  let server: EtcdServer;
  const cleanups: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    server = await startEtcd({ auth: { tokenTtlSeconds: TOKEN_TTL_S } });
  });
  afterEach(async () => {
    for (const clean of cleanups.splice(0).reverse()) await clean();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const backendAt = (endpoint: string, extra: Partial<BackendOptions> = {}): Backend => {
    const backend = createEtcdBackend({ nodes: [endpoint], files: [], ...server.root, ...extra }, silentLogger);
    cleanups.push(() => backend.close());
    return backend;
  };
  const watchFrom = async (backend: Backend, path: string): Promise<ReadingWatch> => {
    const w = await watchAndRead(backend, path, (await backend.getValues([path])).revision);
    cleanups.push(() => w.close());
    return w;
  };
  const seen = (w: ReadingWatch, key: string, value: string) => () => w.latest()?.values.get(key) === value;

  it('reads again after its token expired', async () => {
    const backend = backendAt(server.endpoint);
    await server.etcdctl('put', '/a1', 'one');
    expect((await backend.getValues(['/a1'])).values.get('/a1')).toBe('one');
    await sleep((TOKEN_TTL_S + 2) * 1000); // let the idle token expire
    expect((await backend.getValues(['/a1'])).values.get('/a1')).toBe('one');
  });

  it('re-authenticates a watch that reconnects with an expired token', async () => {
    const proxy = await startTcpProxy(server.clientPort);
    cleanups.push(() => proxy.close());
    const w = await watchFrom(backendAt(proxy.endpoint), '/a2');
    proxy.setMode('refuse');
    await waitFor('the watch to report the dropped connection', () => w.errors().length > 0);
    await sleep((TOKEN_TTL_S + 2) * 1000); // the token expires while the watch is away
    const back = Date.now();
    proxy.setMode('forward');
    await server.etcdctl('put', '/a2/k', 'after-expiry');
    await waitFor('the change after re-authentication', seen(w, '/a2/k', 'after-expiry'));
    report('watch recovered from an expired token', Date.now() - back);
    expect(w.errors().map((e) => e.message).join('\n')).toMatch(/permission denied|auth token/i);
  });

  it('re-authenticates every watch of a client after a restart wiped every token', async () => {
    const backend = backendAt(server.endpoint);
    const w = await watchFrom(backend, '/a3');
    const other = await watchFrom(backend, '/a3b');
    await server.restart();
    const put = Date.now();
    await server.etcdctl('put', '/a3/k', 'after-restart');
    await server.etcdctl('put', '/a3b/k', 'after-restart');
    await waitFor('the change after the restart', seen(w, '/a3/k', 'after-restart'));
    await waitFor('the other watch to see its change', seen(other, '/a3b/k', 'after-restart'));
    report('changes after restart with auth seen by both watches', Date.now() - put);
  });

  it('names the endpoint and never shows the password when the password is wrong', async () => {
    const lines: string[] = [];
    const password = 'wrong-password-123';
    const backend = createEtcdBackend(
      { nodes: [server.endpoint], files: [], username: 'root', password },
      createLogger({ level: 'debug', write: (l) => lines.push(l) }),
    );
    cleanups.push(() => backend.close());
    const err = await backend.getValues(['/a4']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as Error).message).toContain(server.endpoint);
    expect((err as Error).message).toMatch(/authentication failed.*check --username and --password/i);
    expect((err as Error).message).not.toContain(password);
    createLogger({ write: (l) => lines.push(l) }).error('failed', { password });
    expect(lines.join('\n')).not.toContain(password);
  });
});

describe('etcd over TLS', () => {
  let server: EtcdServer;
  beforeAll(async () => {
    server = await startEtcd({ tls: true });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('reads and watches with a client certificate', async () => {
    const tls = server.tls!;
    const backend = createEtcdBackend(
      { nodes: [server.endpoint], files: [], clientCert: tls.clientCert, clientKey: tls.clientKey, clientCaKeys: tls.ca },
      silentLogger,
    );
    try {
      await server.etcdctl('put', '/t/a', 'secure');
      const snap = await backend.getValues(['/t']);
      expect(snap.values.get('/t/a')).toBe('secure');
      const w = await watchAndRead(backend, '/t', snap.revision);
      await server.etcdctl('put', '/t/a', 'changed');
      await waitFor('the TLS watch to see the change', seen(w, '/t/a', 'changed'));
      await w.close();
    } finally {
      await backend.close();
    }
  });

  it('fails with the endpoint named when the CA does not match', async () => {
    const backend = createEtcdBackend({ nodes: [server.endpoint], files: [] }, silentLogger);
    try {
      const err = await backend.getValues(['/t']).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BackendError);
      expect((err as Error).message).toContain(server.endpoint);
    } finally {
      await backend.close();
    }
  });
});

const seen = (w: ReadingWatch, key: string, value: string) => () => w.latest()?.values.get(key) === value;
