import { afterAll, describe, expect, it } from 'vitest';
import { startEtcd, type EtcdServer } from '../harness/etcd.js';

// The harness itself: the other etcd tests lean on restart, auth and TLS working.
describe('etcd harness', () => {
  const servers: EtcdServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.stop();
  });

  it('keeps data across restart on the same port', async () => {
    const s = await startEtcd();
    servers.push(s);
    await s.etcdctl('put', '/a', '1');
    const pid = s.pid;
    await s.restart();
    expect(s.pid).not.toBe(pid);
    expect(await s.etcdctl('get', '/a', '--print-value-only')).toBe('1\n');
    await s.stop();
    await s.stop();
  });

  it('serves auth and TLS', async () => {
    const a = await startEtcd({ auth: { tokenTtlSeconds: 2 } });
    servers.push(a);
    await a.etcdctl('put', '/a', '2');
    expect(await a.etcdctl('get', '/a', '--print-value-only')).toBe('2\n');
    const t = await startEtcd({ tls: true });
    servers.push(t);
    expect(t.endpoint).toMatch(/^https:/);
    await t.etcdctl('put', '/a', '3');
    expect(await t.revision()).toBeGreaterThan(1);
  });
});
