// The Consul HTTP API client against a real node:http server: the requests
// it sends (method, path, query, token header, body), how it reads answers
// (JSON, base64 values, a KV 404, headers), and how failures come out
// (status, timeout, abort, an unreachable agent), as the connection reports them.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createConsulConnection, type ConsulConnection } from '../../src/backends/consul/client.js';
import { createConsulHttpApi, type CallOptions, type ConsulApi } from '../../src/backends/consul/http-api.js';
import { createHttpTransport, type ConsulHttpError, type HttpTransport } from '../../src/backends/consul/http-request.js';
import { readKvPath } from '../../src/backends/consul/kv.js';
import { freePort } from '../harness/ports.js';
import { startScriptedHttpServer, type ScriptedHttpServer } from '../harness/scripted-http.js';

const json = (value: unknown, headers: Record<string, string> = {}) => ({
  status: 200,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(value),
});
const b64 = (s: string): string => Buffer.from(s).toString('base64');

let server: ScriptedHttpServer;
let transport: HttpTransport;
let api: ConsulApi;
const options = (extra: Partial<CallOptions> = {}): CallOptions => ({ token: 'secret-token', signal: new AbortController().signal, timeout: 5_000, ...extra });

beforeAll(async () => {
  server = await startScriptedHttpServer();
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  transport?.close();
  server.requests.length = 0;
});
const connect = (): void => {
  transport = createHttpTransport(undefined);
  api = createConsulHttpApi(new URL(server.url), transport);
};

const last = () => server.requests[server.requests.length - 1]!;

describe('requests', () => {
  it('kv.get: a recursive blocking read with the token, values decoded from base64', async () => {
    connect();
    server.answer(() => json([{ Key: 'app/a', Value: b64('blue') }, { Key: 'app/b', Value: null }], { 'x-consul-index': '42' }));
    const [res, body] = await api.kv.get({ ...options(), key: 'app/live', recurse: true, index: '41', wait: '30s' });
    expect(last()).toMatchObject({ method: 'GET', url: '/v1/kv/app%2Flive?recurse=true&index=41&wait=30s', body: '' });
    expect(last().headers['x-consul-token']).toBe('secret-token');
    expect(res.headers['x-consul-index']).toBe('42');
    expect(body).toEqual([{ Key: 'app/a', Value: 'blue' }, { Key: 'app/b', Value: null }]);
  });

  it('kv.get: one key is its first entry, its value decoded as UTF-8, a 404 is no entry; no token, no header', async () => {
    connect();
    server.answer((r) => (r.url.startsWith('/v1/kv/missing') ? { status: 404 } : json([{ Key: 'k', Value: b64('\u00ff') }])));
    const [, one] = await api.kv.get({ ...options({ token: undefined }), key: 'k' });
    expect(one).toEqual({ Key: 'k', Value: '\u00ff' });
    expect(last().url).toBe('/v1/kv/k');
    expect(last().headers['x-consul-token']).toBeUndefined();
    const [res, missing] = await api.kv.get({ ...options(), key: 'missing' });
    expect(res.statusCode).toBe(404);
    expect(missing).toBeUndefined();
  });

  it('kv.set and kv.del: PUT the value as text (with acquire), DELETE with an empty body', async () => {
    connect();
    server.answer(() => json(true));
    const [, written] = await api.kv.set({ ...options(), key: 'hosts/h1', value: 'up', acquire: 'sess-1' });
    expect(written).toBe(true);
    expect(last()).toMatchObject({ method: 'PUT', url: '/v1/kv/hosts%2Fh1?acquire=sess-1', body: 'up' });
    expect(last().headers).toMatchObject({ 'content-type': 'text/plain; charset=utf-8', 'content-length': '2', 'x-consul-token': 'secret-token' });
    await api.kv.set({ ...options(), key: 'k', value: '' });
    expect(last()).toMatchObject({ url: '/v1/kv/k', body: '' });
    await api.kv.del({ ...options(), key: 'a/b' });
    expect(last()).toMatchObject({ method: 'DELETE', url: '/v1/kv/a%2Fb', body: '' });
    expect(last().headers['content-length']).toBe('0');
  });

  it('health, catalog and status: paths and read parameters (consistent wins over stale)', async () => {
    connect();
    server.answer(() => json([]));
    await api.health.service({ ...options(), service: 'web api', passing: true, dc: 'dc2', consistent: true, stale: true });
    expect(last()).toMatchObject({ method: 'GET', url: '/v1/health/service/web%20api?passing=true&dc=dc2&consistent=1' });
    await api.catalog.service.list({ ...options(), stale: true, index: '7', wait: '5s' });
    expect(last().url).toBe('/v1/catalog/services?stale=1&index=7&wait=5s');
    await api.status.leader(options());
    expect(last()).toMatchObject({ method: 'GET', url: '/v1/status/leader' });
  });

  it('transactions, sessions and the ACL check: methods, paths and JSON bodies', async () => {
    connect();
    server.answer(() => json({ ID: 'sess-1' }));
    const ops = [{ KV: { Verb: 'set', Key: 'a', Value: b64('1') } }];
    await api.transaction.create(ops, options());
    expect(last()).toMatchObject({ method: 'PUT', url: '/v1/txn' });
    expect(last().headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(last().body)).toEqual(ops);
    const [, created] = await api.session.create({ ...options(), name: 'switchyard a', ttl: '10s', behavior: 'delete', lockdelay: '0s' });
    expect(created).toEqual({ ID: 'sess-1' });
    expect(last()).toMatchObject({ method: 'PUT', url: '/v1/session/create' });
    expect(JSON.parse(last().body)).toEqual({ LockDelay: '0s', Name: 'switchyard a', Behavior: 'delete', TTL: '10s' });
    await api.session.renew({ ...options(), id: 'sess-1' });
    expect(last()).toMatchObject({ method: 'PUT', url: '/v1/session/renew/sess-1', body: '' });
    const [, destroyed] = await api.session.destroy({ ...options(), id: 'sess-1' });
    expect(destroyed).toBeUndefined();
    expect(last()).toMatchObject({ method: 'PUT', url: '/v1/session/destroy/sess-1' });
    const check = [{ Resource: 'service', Segment: 'web', Access: 'read' }];
    await api.acl.authorize(check, options());
    expect(last()).toMatchObject({ method: 'POST', url: '/v1/internal/acl/authorize' });
    expect(last().headers['x-consul-token']).toBe('secret-token');
    expect(JSON.parse(last().body)).toEqual(check);
  });

  it('keeps the connection open between requests and closes it on close()', async () => {
    connect();
    server.answer(() => json('127.0.0.1:8300'));
    const before = server.connections().accepted;
    await api.status.leader(options());
    await api.status.leader(options());
    expect(server.connections().accepted - before).toBe(1);
    expect(server.connections().open).toBe(1);
    transport.close();
    await expect.poll(() => server.connections().open).toBe(0);
  });
});

describe('failures', () => {
  const failureOf = async (p: Promise<unknown>): Promise<ConsulHttpError> => p.then(() => { throw new Error('resolved'); }, (e: ConsulHttpError) => e);

  it('a non-2xx answer rejects with the response; the message is the short text, else the status text', async () => {
    connect();
    server.answer((r) => (r.url.includes('short') ? { status: 403, headers: { 'content-type': 'text/plain' }, body: 'Permission denied' } : { status: 500, headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(100) }));
    const denied = await failureOf(api.kv.get({ ...options(), key: 'short' }));
    expect(denied.message).toBe('Permission denied');
    expect(denied.response).toMatchObject({ statusCode: 403, body: 'Permission denied' });
    const broken = await failureOf(api.kv.set({ ...options(), key: 'long', value: 'v' }));
    expect(broken.message).toBe('internal server error');
    expect(broken.response?.statusCode).toBe(500);
    expect(broken.isTimeout || broken.isAbort).toBe(false);
  });

  it('times out, and is aborted by the signal, without a response', async () => {
    connect();
    server.answer(() => ({ hang: true }));
    const slow = await failureOf(api.status.leader(options({ timeout: 50 })));
    expect(slow).toMatchObject({ isTimeout: true, isAbort: false, message: 'request timed out (50ms)' });
    expect(slow.response).toBeUndefined();
    const controller = new AbortController();
    const pending = failureOf(api.kv.get({ ...options({ signal: controller.signal }), key: 'k', index: '5', wait: '60s' }));
    await expect.poll(() => server.requests.length).toBe(2);
    controller.abort();
    expect(await pending).toMatchObject({ isAbort: true, isTimeout: false, message: 'request aborted' });
    expect(await failureOf(api.status.leader(options({ signal: AbortSignal.abort() })))).toMatchObject({ isAbort: true });
    expect(server.requests).toHaveLength(2);
  });

  it('an answer cut off in the middle fails without a response', async () => {
    connect();
    server.answer(() => ({ ...json([{ Key: 'k', Value: b64('v') }]), cut: true }));
    const cut = await failureOf(api.kv.get({ ...options(), key: 'k', recurse: true }));
    expect(cut.response).toBeUndefined();
    expect(cut.isTimeout || cut.isAbort).toBe(false);
  });
});

describe('as the connection reports them', () => {
  let conn: ConsulConnection | undefined;
  afterEach(() => conn?.close());
  const open = (node: string): ConsulConnection => (conn = createConsulConnection({ nodes: [node], files: [], authToken: 'tok' }));

  it('passes the index and the ACL-filtered header on; a 403 names the permission; a 5xx its status and text', async () => {
    const c = open(server.url);
    server.answer((r) => {
      if (r.url.startsWith('/v1/kv/ok')) return json([{ Key: 'ok/a', Value: b64('1') }], { 'x-consul-index': '9', 'x-consul-results-filtered-by-acls': 'true' });
      if (r.url.startsWith('/v1/kv/denied')) return { status: 403, headers: { 'content-type': 'text/plain' }, body: 'Permission denied: token lacks key:read' };
      return { status: 500, headers: { 'content-type': 'text/plain' }, body: 'rpc error: no leader' };
    });
    const read = await readKvPath(c, '/ok', 5_000);
    expect(read).toEqual({ values: new Map([['/ok/a', '1']]), index: 9 });
    const answer = await c.send({ action: 'listing', permission: 'key:list' }, 5_000, (a, o) => a.kv.get({ ...o, key: 'ok', recurse: true }), undefined, 'read');
    expect(answer.filteredByAcl).toBe(true);
    expect(last().headers['x-consul-token']).toBe('tok');
    await expect(readKvPath(c, '/denied', 5_000)).rejects.toThrow(
      `consul at ${server.url}: permission denied reading key "denied" (the token needs key:read on it): Permission denied: token lacks key:read`,
    );
    await expect(readKvPath(c, '/other', 5_000)).rejects.toThrow(`consul at ${server.url}: reading key "other" failed: HTTP 500: rpc error: no leader`);
  });

  it('a timeout, an unreachable agent, and close() during a request', async () => {
    const c = open(server.url);
    server.answer(() => ({ hang: true }));
    await expect(readKvPath(c, '/slow', 50)).rejects.toThrow(`consul at ${server.url}: reading key "slow" timed out`);
    const pending = readKvPath(c, '/slow', 60_000).then(() => undefined, (e: Error) => e);
    await expect.poll(() => server.requests.length).toBe(2);
    c.close();
    expect((await pending)?.message).toMatch(/reading key "slow" failed/);
    await expect.poll(() => server.connections().open).toBe(0);
    const down = `http://127.0.0.1:${await freePort()}`;
    await expect(readKvPath(open(down), '/x', 5_000)).rejects.toThrow(new RegExp(`^consul at ${down}: reading key "x" failed: unreachable \\(connect ECONNREFUSED`));
  });
});
