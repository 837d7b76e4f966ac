// The one-shot etcd backend (--onetime, its own gRPC calls over node:http2)
// keeps the guarantees of the etcd3 client: tokens that expire and wrong
// passwords, TLS with a client certificate, failover, a deadline per request;
// and the CLI's --onetime never loads the etcd3 client.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, BackendOptions } from '../../src/backends/backend.js';
import { Etcd3 } from 'etcd3';
import { createEtcdBackend } from '../../src/backends/etcd/index.js';
import { createEtcdOneShotBackend } from '../../src/backends/etcd/oneshot-backend.js';
import { BackendError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { runCli } from '../harness/cli.js';
import { makeConfdir } from '../harness/confdir.js';
import { createLoadRecorder } from '../harness/loads.js';
import { startEtcd, type EtcdServer } from '../harness/etcd.js';
import { freePort } from '../harness/ports.js';
import { startTcpProxy } from '../harness/tcp-proxy.js';
import { sleep } from '../harness/wait.js';

const TOKEN_TTL_S = 2;
const REQUEST_TIMEOUT_MS = 2_000;

const oneShot = (options: Partial<BackendOptions> & { nodes: string[] }): Backend => createEtcdOneShotBackend({ files: [], ...options }, silentLogger);

const readWith = async <T>(backend: Backend, run: (b: Backend) => Promise<T>): Promise<T> => {
  try {
    return await run(backend);
  } finally {
    await backend.close();
  }
};

describe('etcd one-shot reads with auth', () => {
  let server: EtcdServer;
  beforeAll(async () => {
    server = await startEtcd({ auth: { tokenTtlSeconds: TOKEN_TTL_S } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('reads again after its token expired', async () => {
    await server.etcdctl('put', '/g1', 'one');
    await readWith(oneShot({ nodes: [server.endpoint], ...server.root }), async (backend) => {
      expect((await backend.getValues(['/g1'])).values.get('/g1')).toBe('one');
      await sleep((TOKEN_TTL_S + 2) * 1000); // let the idle token expire
      expect((await backend.getValues(['/g1'])).values.get('/g1')).toBe('one');
    });
  });

  it('names the endpoint and never shows the password when the password is wrong', async () => {
    const password = 'wrong-password-456';
    const err = await readWith(oneShot({ nodes: [server.endpoint], username: 'root', password }), (b) => b.getValues(['/g2']).catch((e: unknown) => e));
    expect(err).toBeInstanceOf(BackendError);
    expect((err as Error).message).toContain(server.endpoint);
    expect((err as Error).message).toMatch(/authentication failed.*check --username and --password/i);
    expect((err as Error).message).not.toContain(password);
  });

  it('refuses to read without credentials', async () => {
    const err = await readWith(oneShot({ nodes: [server.endpoint] }), (b) => b.getValues(['/g3']).catch((e: unknown) => e));
    expect(err).toBeInstanceOf(BackendError);
    expect((err as Error).message).toMatch(/user name is empty|permission denied|token/i);
  });

  it('--onetime renders without loading the etcd3 client, node:http2 or node:tls (plain http://)', async () => {
    await server.etcdctl('put', '/g4/app/port', '8081');
    const conf = makeConfdir();
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-loaded-'));
    try {
      const recording = createLoadRecorder(dir).recording();
      const dest = join(conf.dir, 'port.conf');
      conf.addResource({ name: 'port', template: 'port {{getv "/app/port"}}\n', fields: { dest, prefix: '/g4', keys: ['/app'] } });
      const r = await runCli(['--onetime', '--confdir', conf.dir, '--backend', 'etcd', '--node', server.endpoint, '--username', 'root', '--password', server.root!.password], {
        env: recording.env,
      });
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(dest, 'utf8')).toBe('port 8081\n');
      const { files: loaded, builtins } = recording.read();
      expect(loaded.some((f) => f.endsWith('/dist/bundle/switchyard.js'))).toBe(true);
      // Its own HTTP/2 client over node:net: Node's http2 module loads node:tls and node:crypto with it.
      expect(builtins).toContain('net');
      expect(builtins.filter((m) => /^(http2|internal\/http2\/core|tls|https)$/.test(m))).toEqual([]);
      expect(loaded.filter((f) => f.endsWith('/vendor/etcd3.js'))).toEqual([]);
      // The etcd3 client's file embeds etcd's protocol definitions and grpc-js.
      const grpc = loaded.filter((f) => /RangeRequest|@grpc\/grpc-js/.test(readFileSync(f, 'utf8')));
      expect(grpc).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(conf.dir, { recursive: true, force: true });
    }
  });
});

describe('etcd one-shot reads over TLS', () => {
  let server: EtcdServer;
  let serverOnly: EtcdServer;
  beforeAll(async () => {
    [server, serverOnly] = await Promise.all([startEtcd({ tls: 'gateway' }), startEtcd({ tls: true })]);
  });
  afterAll(async () => {
    await Promise.all([server?.stop(), serverOnly?.stop()]);
  });

  /** Reads /t/a with the client certificate. */
  const readSecure = async (at: EtcdServer): Promise<string | undefined> => {
    const tls = at.tls!;
    await at.etcdctl('put', '/t/a', 'secure');
    const backend = oneShot({ nodes: [at.endpoint], clientCert: tls.clientCert, clientKey: tls.clientKey, clientCaKeys: tls.ca });
    const snap = await readWith(backend, (b) => b.getValues(['/t']));
    return snap.values.get('/t/a');
  };

  it('reads with a client certificate', async () => {
    expect(await readSecure(server)).toBe('secure');
  });

  it('reads when the server certificate is not good for client auth (no gateway dialing etcd in between)', async () => {
    expect(await readSecure(serverOnly)).toBe('secure');
  });

  it('fails with the endpoint named when the CA does not match', async () => {
    const err = await readWith(oneShot({ nodes: [server.endpoint] }), (b) => b.getValues(['/t']).catch((e: unknown) => e));
    expect(err).toBeInstanceOf(BackendError);
    expect((err as Error).message).toContain(server.endpoint);
  });
});

describe('etcd one-shot reads over several endpoints', () => {
  let server: EtcdServer;
  beforeAll(async () => {
    server = await startEtcd();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('reads through the live endpoint when another is dead, in either order', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    await server.etcdctl('put', '/f/a', '1');
    for (const nodes of [
      [dead, server.endpoint],
      [server.endpoint, dead],
    ]) {
      await readWith(oneShot({ nodes }), async (backend) => {
        for (let i = 0; i < 3; i++) expect((await backend.getValues(['/f'])).values.get('/f/a')).toBe('1');
      });
    }
  });

  it('rejects within the request deadline, naming the endpoint, when the peer accepts and never answers', async () => {
    const silent = await startTcpProxy(server.clientPort);
    silent.setMode('blackhole');
    try {
      const started = Date.now();
      const err = await readWith(oneShot({ nodes: [silent.endpoint], requestTimeoutMs: REQUEST_TIMEOUT_MS }), (b) => b.getValues(['/x']).catch((e: unknown) => e));
      const ms = Date.now() - started;
      console.info(`etcd one-shot: silent endpoint rejected after ${ms} ms`);
      expect(err).toBeInstanceOf(BackendError);
      expect((err as Error).message).toContain(silent.endpoint);
      expect((err as Error).message).toMatch(/no answer/);
      expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS + 1_500);
    } finally {
      await silent.close();
    }
  });
});

describe('etcd one-shot reads of many keys', () => {
  let server: EtcdServer;
  beforeAll(async () => {
    server = await startEtcd();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('reads what the etcd3 client reads: an answer of many HTTP/2 frames, over 100 paths, UTF-8 and bytes that are not', async () => {
    const client = new Etcd3({ hosts: server.endpoint });
    try {
      // ~600 KB: many times HTTP/2's default window of 64 KB.
      const entries = Array.from({ length: 3000 }, (_, i) => [`/many/s${i % 150}/k${i}`, `wert-ü-${i}-${'x'.repeat(180)}`] as const);
      for (let i = 0; i < entries.length; i += 50) await Promise.all(entries.slice(i, i + 50).map(([k, v]) => client.put(k).value(v)));
      await client.put('/many/s7/bad').value(Buffer.from([0x61, 0xff, 0x62]));
    } finally {
      client.close();
    }
    // One path per subtree: two transactions of range reads, the second pinned to the first's revision.
    const paths = Array.from({ length: 150 }, (_, i) => `/many/s${i}`);
    const full = createEtcdBackend({ nodes: [server.endpoint], files: [] }, silentLogger);
    const expected = await readWith(full, (b) => b.getValues(paths));
    const actual = await readWith(oneShot({ nodes: [server.endpoint] }), (b) => b.getValues(paths));
    expect(actual.values.size).toBe(3001);
    expect(actual.revision).toBe(expected.revision);
    expect([...actual.values]).toEqual([...expected.values]);
    expect(actual.invalidUtf8).toEqual(['/many/s7/bad']);
    expect(expected.invalidUtf8).toEqual(['/many/s7/bad']);
  });
});
