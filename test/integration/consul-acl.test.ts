// ACLs with default-deny and TLS with client certificates, against real agents.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsulBackend } from '../../src/backends/consul/index.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { startConsul, type ConsulServer } from '../harness/consul.js';
import { waitFor } from '../harness/wait.js';

describe('consul with ACLs (default deny)', () => {
  const managementToken = randomUUID();
  let server: ConsulServer;
  let readToken: string;

  beforeAll(async () => {
    server = await startConsul({ acl: { defaultPolicy: 'deny', managementToken } });
    await server.kvPut('/secure/app/live', 'blue');
    readToken = await server.createToken('key_prefix "secure/app/" { policy = "read" }\nkey "secure/app/live" { policy = "read" }');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('without a token: a clear error naming the key and the permission', async () => {
    const backend = createConsulBackend({ nodes: [server.address], files: [] }, silentLogger);
    try {
      const err = await backend.getValues(['/secure/app/live']).then(() => undefined, (e: Error) => e);
      expect(err?.message).toMatch(new RegExp(`^consul at ${server.address}: permission denied reading key "secure/app/live" \\(the token needs key:read on it`));
      expect(err).toMatchObject({ backend: 'consul', endpoint: server.address });
      const write = await backend.put!('/secure/app/live', 'green').then(() => undefined, (e: Error) => e);
      expect(write?.message).toMatch(/permission denied writing key "secure\/app\/live" \(the token needs key:write on it\)/);
    } finally {
      await backend.close();
    }
  });

  it('with the right token: reads and watches work, and the token never reaches the log', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', write: (l) => lines.push(l) });
    const backend = createConsulBackend({ nodes: [server.address], files: [], authToken: readToken }, logger, { waitSeconds: 300 });
    try {
      const snap = await backend.getValues(['/secure/app/live']);
      expect(snap.values.get('/secure/app/live')).toBe('blue');

      let changes = 0;
      const handle = await backend.watch('/secure/app/live', {
        onChange: () => (changes += 1),
        onError: (e) => logger.error('watch failed', { error: e }),
      });
      await server.kvPut('/secure/app/live', 'green');
      await waitFor('the watch to fire', () => changes === 1, 20_000);
      await handle.close();

      // A denied write is an error the daemon logs, with everything it knows.
      const denied = await backend.put!('/secure/app/live', 'red').then(() => undefined, (e: Error) => e);
      expect(denied?.message).toMatch(/permission denied writing key "secure\/app\/live" \(the token needs key:write on it\)/);
      logger.error('write failed', { error: denied, token: readToken, cause: String((denied as { cause?: unknown }).cause) });

      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(line).not.toContain(readToken);
    } finally {
      await backend.close();
    }
  });

  it('reading a service without service:read is an error, not an empty list', async () => {
    await server.registerService({ id: 'web-1', name: 'web', port: 9001 });
    const anonymous = createConsulBackend({ nodes: [server.address], files: [] }, silentLogger);
    const manager = createConsulBackend({ nodes: [server.address], files: [], authToken: managementToken }, silentLogger);
    try {
      await waitFor('web-1 in the catalog', async () => (await manager.services('web')).length === 1, 20_000);
      await expect(anonymous.services('web')).rejects.toThrow(/permission denied reading service "web" \(the token needs service:read/);
    } finally {
      await anonymous.close();
      await manager.close();
    }
  });
});

describe('consul over TLS with a client certificate', () => {
  let server: ConsulServer;

  beforeAll(async () => {
    server = await startConsul({ tls: true });
    await server.kvPut('/tls/app/port', '9443');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('reads with the CA, certificate and key; fails clearly without the certificate', async () => {
    const tls = server.tls!;
    expect(server.address).toMatch(/^https:/);
    const backend = createConsulBackend(
      { nodes: [server.address], files: [], clientCaKeys: tls.ca, clientCert: tls.clientCert, clientKey: tls.clientKey },
      silentLogger,
    );
    const noCert = createConsulBackend({ nodes: [server.address], files: [], clientCaKeys: tls.ca }, silentLogger);
    try {
      expect((await backend.getValues(['/tls/app'])).values.get('/tls/app/port')).toBe('9443');
      await expect(noCert.getValues(['/tls/app'])).rejects.toThrow(new RegExp(`^consul at ${server.address}: reading key "tls/app" failed`));
    } finally {
      await backend.close();
      await noCert.close();
    }
  });
});
