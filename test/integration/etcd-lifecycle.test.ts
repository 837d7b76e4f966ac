// Failing fast and cleaning up: an unreachable or silent endpoint rejects
// within a bound and names itself; close() leaves nothing running.
import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEtcdBackend } from '../../src/backends/etcd/index.js';
import { BackendError, ConfigError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { watchAndRead } from '../contract/backend-contract.js';
import { startEtcd, type EtcdServer } from '../harness/etcd.js';
import { freePort } from '../harness/ports.js';
import { waitFor } from '../harness/wait.js';

const report = (what: string, ms: number): void => console.info(`etcd lifecycle: ${what}: ${ms} ms`);

// A short request deadline keeps these cases short; the bound below is
// measured against it, not against the total call budget (one deadline for
// auth plus one per endpoint), which is twice as long with one endpoint.
const REQUEST_TIMEOUT_MS = 2_000;

const expectRejectsNaming = async (endpoint: string): Promise<number> => {
  const backend = createEtcdBackend({ nodes: [endpoint], files: [], requestTimeoutMs: REQUEST_TIMEOUT_MS }, silentLogger);
  const started = Date.now();
  const err = await backend.getValues(['/x']).catch((e: unknown) => e);
  const elapsed = Date.now() - started;
  await backend.close();
  expect(err).toBeInstanceOf(BackendError);
  expect((err as BackendError).endpoint).toBe(endpoint);
  expect((err as Error).message).toContain(endpoint);
  return elapsed;
};

describe('etcd backend lifecycle', () => {
  let server: EtcdServer;
  beforeAll(async () => {
    server = await startEtcd();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('rejects quickly, naming the endpoint, when nothing listens there', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const ms = await expectRejectsNaming(endpoint);
    report('refused endpoint rejected after', ms);
    // A refused connection is an answer: no waiting for the request deadline.
    expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS / 2);
  });

  it('rejects within the request bound when the peer accepts and never answers', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    const port = await freePort();
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    try {
      const ms = await expectRejectsNaming(`http://127.0.0.1:${port}`);
      report('silent endpoint rejected after', ms);
      // The request's own deadline ends it (plus scheduling slack on a busy machine), not the call budget.
      expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS + 1_500);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('keeps reading and watching through the live endpoint when another is dead', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const backend = createEtcdBackend({ nodes: [dead, server.endpoint], files: [] }, silentLogger);
    try {
      await server.etcdctl('put', '/f/a', '1');
      for (let i = 0; i < 6; i++) expect((await backend.getValues(['/f'])).values.get('/f/a')).toBe('1');
      const w = await watchAndRead(backend, '/f');
      await server.etcdctl('put', '/f/a', '2');
      await waitFor('the watch to see the put through the live endpoint', () => w.latest()?.values.get('/f/a') === '2');
      await w.close();
    } finally {
      await backend.close();
    }
  });

  it('refuses a malformed endpoint with a configuration error', () => {
    expect(() => createEtcdBackend({ nodes: ['127.0.0.1:2379/x'], files: [] }, silentLogger)).toThrow(ConfigError);
  });

  // Ref'd sockets and timers are what keep a process from exiting.
  it('leaves no sockets or timers behind after close()', async () => {
    const holding = (): string[] => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'Timeout');
    const backend = createEtcdBackend({ nodes: [server.endpoint], files: [] }, silentLogger);
    await backend.put!('/l/a', '1');
    const snap = await backend.getValues(['/l']);
    const w1 = await watchAndRead(backend, '/l', snap.revision);
    await watchAndRead(backend, '/m'); // left open on purpose: backend.close() must end it
    await backend.put!('/l/a', '2');
    await waitFor('the watch to see the put', () => w1.latest()?.values.get('/l/a') === '2');
    expect(holding()).toContain('TCPSocketWrap');
    await backend.close();
    const ms = await waitFor('every socket and timer of the backend to close', () => holding().length === 0, 10_000).catch(
      (err: Error) => {
        throw new Error(`${err.message}; still open: ${holding().join(', ')}`);
      },
    );
    report('handles closed after close()', ms);
  });
});
