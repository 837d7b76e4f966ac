// The one-shot etcd backend (--onetime, etcd's JSON gateway) keeps the
// guarantees of the etcd3 client: tokens that expire and wrong passwords,
// TLS with a client certificate, failover, a deadline per request; and the
// CLI's --onetime never loads the gRPC client.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, BackendOptions } from '../../src/backends/backend.js';
import { createEtcdGatewayBackend } from '../../src/backends/etcd/gateway-backend.js';
import { BackendError } from '../../src/errors.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { runCli } from '../harness/cli.js';
import { makeConfdir } from '../harness/confdir.js';
import { startEtcd, type EtcdServer } from '../harness/etcd.js';
import { freePort } from '../harness/ports.js';
import { startTcpProxy } from '../harness/tcp-proxy.js';
import { sleep } from '../harness/wait.js';

const TOKEN_TTL_S = 2;
const REQUEST_TIMEOUT_MS = 2_000;

const gateway = (options: Partial<BackendOptions> & { nodes: string[] }): Backend => createEtcdGatewayBackend({ files: [], ...options }, silentLogger);

const readWith = async <T>(backend: Backend, run: (b: Backend) => Promise<T>): Promise<T> => {
  try {
    return await run(backend);
  } finally {
    await backend.close();
  }
};

describe('etcd JSON gateway with auth', () => {
  let server: EtcdServer;
  beforeAll(async () => {
    server = await startEtcd({ auth: { tokenTtlSeconds: TOKEN_TTL_S } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('reads again after its token expired', async () => {
    await server.etcdctl('put', '/g1', 'one');
    await readWith(gateway({ nodes: [server.endpoint], ...server.root }), async (backend) => {
      expect((await backend.getValues(['/g1'])).values.get('/g1')).toBe('one');
      await sleep((TOKEN_TTL_S + 2) * 1000); // let the idle token expire
      expect((await backend.getValues(['/g1'])).values.get('/g1')).toBe('one');
    });
  });

  it('names the endpoint and never shows the password when the password is wrong', async () => {
    const password = 'wrong-password-456';
    const err = await readWith(gateway({ nodes: [server.endpoint], username: 'root', password }), (b) => b.getValues(['/g2']).catch((e: unknown) => e));
    expect(err).toBeInstanceOf(BackendError);
    expect((err as Error).message).toContain(server.endpoint);
    expect((err as Error).message).toMatch(/authentication failed.*check --username and --password/i);
    expect((err as Error).message).not.toContain(password);
  });

  it('refuses to read without credentials', async () => {
    const err = await readWith(gateway({ nodes: [server.endpoint] }), (b) => b.getValues(['/g3']).catch((e: unknown) => e));
    expect(err).toBeInstanceOf(BackendError);
    expect((err as Error).message).toMatch(/user name is empty|permission denied|token/i);
  });

  it('--onetime renders through the gateway without loading the gRPC client', async () => {
    await server.etcdctl('put', '/g4/app/port', '8081');
    const conf = makeConfdir();
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-loaded-'));
    try {
      // Records every file the run compiles: bin/run-bundle.cjs compiles the bundle and each library it loads.
      const log = join(dir, 'loaded.txt');
      const preload = join(dir, 'record-loads.cjs');
      writeFileSync(
        preload,
        `const vm = require('node:vm');\nconst files = [];\nvm.Script = class extends vm.Script { constructor(s, o) { super(s, o); files.push(o.filename); } };\n` +
          `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(log)}, files.join('\\n') + '\\n'));\n`,
      );
      const dest = join(conf.dir, 'port.conf');
      conf.addResource({ name: 'port', template: 'port {{getv "/app/port"}}\n', fields: { dest, prefix: '/g4', keys: ['/app'] } });
      const r = await runCli(['--onetime', '--confdir', conf.dir, '--backend', 'etcd', '--node', server.endpoint, '--username', 'root', '--password', server.root!.password], {
        env: { NODE_OPTIONS: `--require ${preload}` },
      });
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(dest, 'utf8')).toBe('port 8081\n');
      const loaded = readFileSync(log, 'utf8').split('\n').filter((f) => f !== '');
      expect(loaded.some((f) => f.endsWith('/dist/bundle/switchyard.js'))).toBe(true);
      // The gRPC client's file embeds etcd's protocol definitions.
      const grpc = loaded.filter((f) => readFileSync(f, 'utf8').includes('etcdserverpb'));
      expect(grpc).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(conf.dir, { recursive: true, force: true });
    }
  });
});

describe('etcd JSON gateway over TLS', () => {
  let server: EtcdServer;
  let serverOnly: EtcdServer;
  beforeAll(async () => {
    [server, serverOnly] = await Promise.all([startEtcd({ tls: 'gateway' }), startEtcd({ tls: true })]);
  });
  afterAll(async () => {
    await Promise.all([server?.stop(), serverOnly?.stop()]);
  });

  /** Reads /t/a with the client certificate; returns the value and the log. */
  const readSecure = async (at: EtcdServer): Promise<{ value: string | undefined; log: string }> => {
    const tls = at.tls!;
    await at.etcdctl('put', '/t/a', 'secure');
    const lines: string[] = [];
    const backend = createEtcdGatewayBackend(
      { nodes: [at.endpoint], files: [], clientCert: tls.clientCert, clientKey: tls.clientKey, clientCaKeys: tls.ca },
      createLogger({ level: 'debug', write: (l) => lines.push(l) }),
    );
    const snap = await readWith(backend, (b) => b.getValues(['/t']));
    return { value: snap.values.get('/t/a'), log: lines.join('\n') };
  };

  it('reads with a client certificate through the gateway', async () => {
    const { value, log } = await readSecure(server);
    expect(value).toBe('secure');
    expect(log).not.toContain('gRPC client');
  });

  it('reads through the gRPC client when the gateway cannot reach etcd (server certificate without client auth)', async () => {
    const { value, log } = await readSecure(serverOnly);
    expect(value).toBe('secure');
    expect(log).toContain('reading through the gRPC client');
  });

  it('fails with the endpoint named when the CA does not match', async () => {
    const err = await readWith(gateway({ nodes: [server.endpoint] }), (b) => b.getValues(['/t']).catch((e: unknown) => e));
    expect(err).toBeInstanceOf(BackendError);
    expect((err as Error).message).toContain(server.endpoint);
  });
});

describe('etcd JSON gateway endpoints', () => {
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
      await readWith(gateway({ nodes }), async (backend) => {
        for (let i = 0; i < 3; i++) expect((await backend.getValues(['/f'])).values.get('/f/a')).toBe('1');
      });
    }
  });

  it('rejects within the request deadline, naming the endpoint, when the peer accepts and never answers', async () => {
    const silent = await startTcpProxy(server.clientPort);
    silent.setMode('blackhole');
    try {
      const started = Date.now();
      const err = await readWith(gateway({ nodes: [silent.endpoint], requestTimeoutMs: REQUEST_TIMEOUT_MS }), (b) => b.getValues(['/x']).catch((e: unknown) => e));
      const ms = Date.now() - started;
      console.info(`etcd gateway: silent endpoint rejected after ${ms} ms`);
      expect(err).toBeInstanceOf(BackendError);
      expect((err as Error).message).toContain(silent.endpoint);
      expect((err as Error).message).toMatch(/no answer/);
      expect(ms).toBeLessThan(REQUEST_TIMEOUT_MS + 1_500);
    } finally {
      await silent.close();
    }
  });
});
