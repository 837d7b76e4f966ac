// The catalog side of the Consul backend against a real agent: healthy
// instances, their order, and a watch that follows registrations and checks;
// the list of every service and its watch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, CatalogService, ServiceCatalog, ServiceInstance } from '../../src/backends/backend.js';
import { createConsulBackend } from '../../src/backends/consul/index.js';
import { silentLogger } from '../../src/log.js';
import { startConsul, type ConsulServer } from '../harness/consul.js';
import { waitFor } from '../harness/wait.js';

describe('consul catalog', () => {
  let server: ConsulServer;
  let backend: Backend & ServiceCatalog;

  beforeAll(async () => {
    server = await startConsul();
    backend = createConsulBackend({ nodes: [server.address], files: [] }, silentLogger, { waitSeconds: 300 });
  });
  afterAll(async () => {
    await backend?.close();
    await server?.stop();
  });

  it('follows registrations and health checks, through services() and watchService()', async () => {
    let latest: ServiceInstance[] | undefined;
    let notified = 0;
    const errors: Error[] = [];
    const handle = await backend.watchService('web', {
      onChange: () => {
        notified += 1;
        backend.services('web').then((s) => (latest = s), (e: Error) => errors.push(e));
      },
      onError: (e) => errors.push(e),
    });
    const ids = () => latest?.map((s) => s.id).join(',');
    try {
      expect(await backend.services('web')).toEqual([]);

      await server.registerService({ id: 'web-a', name: 'web', address: '10.0.0.2', port: 9001, tags: ['a', 'v1'], meta: { version: 'A' }, ttlCheck: true });
      await waitFor('[web-a]', () => ids() === 'web-a', 20_000);
      expect(latest).toEqual([{ id: 'web-a', name: 'web', address: '10.0.0.2', port: 9001, tags: ['a', 'v1'], meta: { version: 'A' }, node: server.nodeName }]);

      // No service address: the node's address stands in; 10.0.0.2 sorts before 127.0.0.1.
      await server.registerService({ id: 'web-b', name: 'web', port: 9002, meta: { version: 'B' }, ttlCheck: true });
      await waitFor('[web-a, web-b]', () => ids() === 'web-a,web-b', 20_000);
      expect(latest?.[1]).toMatchObject({ id: 'web-b', address: '127.0.0.1', port: 9002, tags: [] });

      await server.deregisterService('web-a');
      await waitFor('[web-b]', () => ids() === 'web-b', 20_000);

      await server.setCheck('web-b', 'critical');
      await waitFor('no healthy instance', () => ids() === '', 20_000);
      expect(await backend.services('web')).toEqual([]);

      await server.setCheck('web-b', 'passing');
      await waitFor('web-b back', () => ids() === 'web-b', 20_000);
      expect(notified).toBe(5);
      expect(errors).toEqual([]);
    } finally {
      await handle.close();
    }
  });

  it('does not notify a service watch when another service changes', async () => {
    let notified = 0;
    const handle = await backend.watchService('api', { onChange: () => (notified += 1), onError: () => undefined });
    try {
      await server.registerService({ id: 'other-1', name: 'other', port: 7000 });
      await server.registerService({ id: 'api-1', name: 'api', port: 7001 });
      await waitFor('the api watch to fire', () => notified > 0, 20_000);
      expect(notified).toBe(1);
      expect((await backend.services('api')).map((s) => s.id)).toEqual(['api-1']);
    } finally {
      await handle.close();
    }
  });

  it('lists every service, healthy or not, with the tags of all its instances, and watches the list', async () => {
    let latest: CatalogService[] | undefined;
    const errors: Error[] = [];
    const handle = await backend.watchServiceList({
      onChange: () => void backend.serviceList().then((l) => (latest = l), (e: Error) => errors.push(e)),
      onError: (e) => errors.push(e),
    });
    const zeta = () => latest?.find((s) => s.name === 'zeta');
    try {
      await server.registerService({ id: 'zeta-1', name: 'zeta', port: 7101, tags: ['v2', 'b'] });
      await server.registerService({ id: 'zeta-2', name: 'zeta', port: 7102, tags: ['a', 'b'], ttlCheck: true });
      await server.setCheck('zeta-2', 'critical');
      await waitFor('zeta with all its tags', () => zeta()?.tags.length === 3, 20_000);
      expect(zeta()).toEqual({ name: 'zeta', tags: ['a', 'b', 'v2'] });
      const names = (await backend.serviceList()).map((s) => s.name);
      expect(names).toContain('consul');
      expect(names).toEqual([...names].sort());
      await server.registerService({ id: 'alpha-1', name: 'alpha', port: 7103 });
      await waitFor('alpha listed first', () => latest?.[0]?.name === 'alpha', 20_000);
      expect(latest?.[0]).toEqual({ name: 'alpha', tags: [] });
      await server.deregisterService('zeta-1');
      await server.deregisterService('zeta-2');
      await waitFor('zeta gone', () => latest !== undefined && zeta() === undefined, 20_000);
      expect(errors).toEqual([]);
    } finally {
      await handle.close();
    }
  });
});
