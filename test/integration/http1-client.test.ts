// switchyard's own HTTP/1.1 client (src/http1) against Node's HTTP server
// (llhttp's framing: content-length, chunked, keep-alive, Connection: close),
// against a raw TCP server for what Node's server does not send (chunk
// extensions, answers until close, garbage, a connection dropped as a
// request arrives), and over TLS with a client certificate; idle connections
// do not keep a process alive.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHttpTransport, type ConsulHttpError } from '../../src/backends/consul/http-request.js';
import { createHttp1Client, type Http1Client } from '../../src/http1/client.js';
import { Http1Error } from '../../src/http1/error.js';
import { MAX_HEADER_OCTETS } from '../../src/http1/response-reader.js';
import { REPO } from '../harness/cli.js';
import { freePort } from '../harness/ports.js';
import { generateTlsFiles, type TlsFiles } from '../harness/tls.js';

type Server = http.Server | https.Server | net.Server;

const listen = async (server: Server): Promise<URL> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const secure = server instanceof https.Server;
  return new URL(`${secure ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`);
};

/** Counts the connections a server accepted; destroys them all at the end. */
const track = (server: Server, event = 'connection'): { accepted: () => number; open: Set<net.Socket>; stop: () => Promise<void> } => {
  const open = new Set<net.Socket>();
  let accepted = 0;
  server.on(event, (socket: net.Socket) => {
    accepted += 1;
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });
  return {
    accepted: () => accepted,
    open,
    stop: async () => {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

const text = async (client: Http1Client, url: URL, path: string, method = 'GET'): Promise<string> => (await client.request(url, { method, path }).answer).body.toString();
const failureOf = async (p: Promise<unknown>): Promise<Error> => p.then(() => { throw new Error('resolved'); }, (e: Error) => e);
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('against node:http', () => {
  let server: http.Server;
  let url: URL;
  let conns: ReturnType<typeof track>;
  let client: Http1Client;
  const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
        void answer(new URL(req.url ?? '/', 'http://any').pathname.replace(/^\/v1\//, '/'), res);
      });
    });
    url = await listen(server);
    conns = track(server);
  });
  afterAll(() => conns.stop());
  afterEach(() => {
    client?.close();
    seen.length = 0;
  });

  const answer = async (path: string, res: http.ServerResponse): Promise<void> => {
    if (path === '/length') return void res.writeHead(200, { 'content-type': 'application/json', 'x-consul-index': '7', 'content-length': '7' }).end('{"a":1}');
    if (path === '/chunked') {
      // Chunks in several writes, some after a pause, and trailers.
      res.writeHead(200, { trailer: 'x-sum' });
      for (const part of ['one ', 'two ', 'three']) {
        res.write(part);
        await delay(5);
      }
      res.addTrailers({ 'x-sum': '3' });
      return void res.end();
    }
    if (path === '/empty') return void res.writeHead(204).end();
    if (path === '/close') return void res.writeHead(200, { connection: 'close', 'content-length': '2' }).end('ok');
    if (path === '/slow') return void setTimeout(() => res.end('late'), 200);
    if (path === '/hang') return;
    if (path === '/cut') {
      res.writeHead(200, { 'content-length': '100' });
      return void res.write('x'.repeat(40), () => res.socket?.destroy());
    }
    if (path === '/big-header') return void res.writeHead(200, { 'x-big': 'a'.repeat(MAX_HEADER_OCTETS) }).end();
    res.writeHead(404).end();
  };

  it('sends the method, path, Host, User-Agent, the fields given and Content-Length; reads a body by its length', async () => {
    client = createHttp1Client();
    const answer = await client.request(url, { method: 'PUT', path: '/length?x=1', headers: { 'X-Consul-Token': 't' }, body: Buffer.from('héllo') }).answer;
    expect(answer).toMatchObject({ status: 200, keepAlive: true });
    expect(answer.headers).toMatchObject({ 'content-type': 'application/json', 'x-consul-index': '7', 'content-length': '7' });
    expect(answer.body.toString()).toBe('{"a":1}');
    expect(seen[0]).toMatchObject({ method: 'PUT', url: '/length?x=1', body: 'héllo' });
    expect(seen[0]!.headers).toMatchObject({ host: url.host, 'user-agent': 'switchyard', 'x-consul-token': 't', 'content-length': '6' });
    await client.request(url, { method: 'DELETE', path: '/length' }).answer;
    expect(seen[1]!.headers['content-length']).toBe('0');
    await client.request(url, { method: 'GET', path: '/length' }).answer;
    expect(seen[2]!.headers['content-length']).toBeUndefined();
  });

  it('reads chunked bodies written in pieces, with trailers, and 204s, on one kept-alive connection', async () => {
    client = createHttp1Client();
    const before = conns.accepted();
    expect(await text(client, url, '/chunked')).toBe('one two three');
    expect((await client.request(url, { method: 'GET', path: '/empty' }).answer).status).toBe(204);
    expect(await text(client, url, '/chunked')).toBe('one two three');
    expect(await text(client, url, '/length')).toBe('{"a":1}');
    // Sequential requests, one connection.
    expect(conns.accepted() - before).toBe(1);
  });

  it('several requests at once take a connection each; afterwards they are reused', async () => {
    client = createHttp1Client();
    const before = conns.accepted();
    expect(await Promise.all([1, 2, 3].map(() => text(client, url, '/slow')))).toEqual(['late', 'late', 'late']);
    expect(conns.accepted() - before).toBe(3);
    expect(await Promise.all([1, 2, 3].map(() => text(client, url, '/length')))).toHaveLength(3);
    expect(conns.accepted() - before).toBe(3);
  });

  it('opens a new connection after an answer that said Connection: close', async () => {
    client = createHttp1Client();
    const before = conns.accepted();
    expect(await text(client, url, '/close')).toBe('ok');
    expect(await text(client, url, '/length')).toBe('{"a":1}');
    expect(conns.accepted() - before).toBe(2);
  });

  it('a reused connection holds the same listeners as a new one', async () => {
    client = createHttp1Client();
    // The client opens its sockets through node:net's connect: this records them.
    const netModule = process.getBuiltinModule('node:net');
    const original = netModule.connect.bind(netModule) as (...args: unknown[]) => net.Socket;
    const sockets: net.Socket[] = [];
    const connect = vi.spyOn(netModule, 'connect').mockImplementation(((...args: unknown[]) => {
      const socket = original(...args);
      sockets.push(socket);
      return socket;
    }) as typeof netModule.connect);
    try {
      await text(client, url, '/length');
      const counts = (): number[] => ['data', 'error', 'end', 'close'].map((e) => sockets[0]!.listenerCount(e));
      const first = counts();
      for (let i = 0; i < 30; i++) await text(client, url, i % 2 ? '/chunked' : '/length');
      expect(sockets).toHaveLength(1);
      expect(counts()).toEqual(first);
    } finally {
      connect.mockRestore();
    }
  });

  it('fails when the server closes in the middle of the body, and on a header block over the limit, naming the server', async () => {
    client = createHttp1Client();
    const cut = await failureOf(text(client, url, '/cut'));
    expect(cut).toBeInstanceOf(Http1Error);
    expect(cut.message).toBe(`the answer was cut off: ${url.origin} closed the connection in the middle of it`);
    const big = await failureOf(text(client, url, '/big-header'));
    expect(big).toMatchObject({ failure: 'too-large', message: `${url.origin} sent a header block of more than ${MAX_HEADER_OCTETS} octets` });
    expect(await text(client, url, '/length')).toBe('{"a":1}');
  });

  it('gives up on a request when cancelled, or timed out or aborted through the Consul transport, closing its connection', async () => {
    client = createHttp1Client();
    const pending = client.request(url, { method: 'GET', path: '/hang' });
    await expect.poll(() => seen.length).toBe(1);
    const open = conns.open.size;
    pending.cancel(new Error('enough'));
    await expect(pending.answer).rejects.toThrow('enough');
    await expect.poll(() => conns.open.size).toBe(open - 1);

    const transport = createHttpTransport(undefined);
    try {
      const slow = (await failureOf(transport.send(url, { method: 'GET', path: '/hang', headers: {}, timeout: 100, signal: new AbortController().signal }))) as ConsulHttpError;
      expect(slow).toMatchObject({ isTimeout: true, isAbort: false, message: 'request timed out (100ms)' });
      const controller = new AbortController();
      const aborted = failureOf(transport.send(url, { method: 'GET', path: '/hang', headers: {}, timeout: 0, signal: controller.signal }));
      await expect.poll(() => seen.length).toBe(3);
      controller.abort();
      expect(await aborted).toMatchObject({ isAbort: true, isTimeout: false, message: 'request aborted' });
      // A request in flight when the transport closes fails as aborted.
      const closing = failureOf(transport.send(url, { method: 'GET', path: '/hang', headers: {}, timeout: 0, signal: new AbortController().signal }));
      await expect.poll(() => seen.length).toBe(4);
      transport.close();
      expect(await closing).toMatchObject({ isAbort: true, message: 'request aborted' });
      await expect.poll(() => conns.open.size).toBe(open - 1);
    } finally {
      transport.close();
    }
  });

  it('drops an idle connection the server reset, without an error, and opens another for the next request', async () => {
    client = createHttp1Client();
    await expect.poll(() => conns.open.size).toBe(0);
    const before = conns.accepted();
    await text(client, url, '/length');
    // A reset (RST), not a clean close: the idle socket sees ECONNRESET or its end.
    for (const socket of conns.open) socket.resetAndDestroy();
    await expect.poll(() => conns.open.size).toBe(0);
    await delay(20);
    expect(await text(client, url, '/length')).toBe('{"a":1}');
    expect(conns.accepted() - before).toBe(2);
  });

  it('close() closes idle connections too', async () => {
    client = createHttp1Client();
    await expect.poll(() => conns.open.size).toBe(0);
    await text(client, url, '/length');
    expect(conns.open.size).toBe(1);
    client.close();
    await expect.poll(() => conns.open.size).toBe(0);
  });
});

describe('against a raw TCP server', () => {
  let server: net.Server;
  let url: URL;
  let conns: ReturnType<typeof track>;
  let client: Http1Client;
  /** What the server does with each request (its head read), by request line. */
  let onRequest: (socket: net.Socket, line: string, index: number) => void;

  beforeAll(async () => {
    server = net.createServer((socket) => {
      let buffered = '';
      let index = 0;
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('latin1');
        for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
          const line = buffered.slice(0, buffered.indexOf('\r\n'));
          buffered = buffered.slice(end + 4);
          onRequest(socket, line, index++);
        }
      });
    });
    url = await listen(server);
    conns = track(server);
  });
  afterAll(() => conns.stop());
  afterEach(() => client?.close());

  /** Writes `pieces` one after the other with a pause between, so that each arrives on its own. */
  const dribble = async (socket: net.Socket, pieces: string[]): Promise<void> => {
    for (const piece of pieces) {
      socket.write(piece);
      await delay(2);
    }
  };

  it('chunk extensions and trailers, in pieces cut anywhere', async () => {
    client = createHttp1Client();
    const raw = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\n5 ; a="b"\r\npedia\r\n0\r\nX-Trailer: yes\r\n\r\n';
    onRequest = (socket) => void dribble(socket, raw.match(/[\s\S]{1,3}/g) ?? []);
    expect(await text(client, url, '/')).toBe('Wikipedia');
    // The same connection takes the next request.
    onRequest = (socket) => socket.write(raw);
    expect(await text(client, url, '/')).toBe('Wikipedia');
  });

  it('a body until the server closes; the connection is not reused', async () => {
    client = createHttp1Client();
    const before = conns.accepted();
    onRequest = (socket) => void dribble(socket, ['HTTP/1.1 200 OK\r\n\r\nall ', 'of it']).then(() => socket.end());
    expect(await text(client, url, '/')).toBe('all of it');
    expect(await text(client, url, '/')).toBe('all of it');
    expect(conns.accepted() - before).toBe(2);
  });

  it('garbage instead of HTTP is a malformed answer naming the server', async () => {
    client = createHttp1Client();
    onRequest = (socket) => socket.write('SSH-2.0-OpenSSH_9.2\r\n');
    const err = await failureOf(text(client, url, '/'));
    expect(err).toMatchObject({ failure: 'malformed', message: `malformed answer from ${url.origin}: a status line of "SSH-2.0-OpenSSH_9.2"` });
  });

  it('a GET on a kept connection the server dropped as the request arrived is sent again on a new one; a PUT is not', async () => {
    client = createHttp1Client();
    const ok = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
    // Each connection answers its first request and drops on its second.
    onRequest = (socket, _line, index) => (index === 0 ? socket.write(ok) : socket.destroy());
    const before = conns.accepted();
    expect(await text(client, url, '/')).toBe('ok');
    expect(await text(client, url, '/')).toBe('ok');
    expect(conns.accepted() - before).toBe(2);
    const put = await failureOf(text(client, url, '/', 'PUT'));
    expect(put).toMatchObject({ beforeAnswer: true });
    expect(put.message).toMatch(/closed the connection before answering|ECONNRESET/);
  });

  it('a malformed answer on a kept connection fails the GET: it is not sent again', async () => {
    client = createHttp1Client();
    const ok = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
    onRequest = (socket, _line, index) => socket.write(index === 0 ? ok : 'garbage\r\n');
    const before = conns.accepted();
    expect(await text(client, url, '/')).toBe('ok');
    const err = await failureOf(text(client, url, '/'));
    expect(err).toMatchObject({ failure: 'malformed', beforeAnswer: false });
    expect(conns.accepted() - before).toBe(1);
  });

  it('a refused connection keeps its code', async () => {
    client = createHttp1Client();
    const down = new URL(`http://127.0.0.1:${await freePort()}`);
    const err = (await failureOf(text(client, down, '/'))) as Http1Error;
    expect(err).toMatchObject({ failure: 'network', code: 'ECONNREFUSED' });
    expect(err.message).toMatch(new RegExp(`^${down.origin}: connect ECONNREFUSED`));
    expect((err.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    // Through the Consul transport the socket's own words come out, for the backend's "unreachable (connect ECONNREFUSED ...)".
    const transport = createHttpTransport(undefined);
    const consul = (await failureOf(transport.send(down, { method: 'GET', path: '/status/leader', headers: {}, timeout: 0, signal: new AbortController().signal }))) as ConsulHttpError;
    expect(consul.message).toMatch(/^connect ECONNREFUSED/);
    expect(consul.response).toBeUndefined();
    expect(consul.isAbort || consul.isTimeout).toBe(false);
  });
});

describe('over TLS with a client certificate', () => {
  let dir: string;
  let files: TlsFiles;
  let server: https.Server;
  let url: URL;
  let conns: ReturnType<typeof track>;
  let client: Http1Client;
  const resumed: boolean[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-http1-tls-'));
    files = await generateTlsFiles(dir);
    server = https.createServer(
      { ca: readFileSync(files.ca), cert: readFileSync(files.serverCert), key: readFileSync(files.serverKey), requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        if (req.url === '/close') res.setHeader('connection', 'close');
        res.end(`hello ${(req.socket as TLSSocket).getPeerCertificate().subject?.CN ?? 'nobody'}`);
      },
    );
    url = await listen(server);
    conns = track(server, 'secureConnection');
    server.on('secureConnection', (socket: TLSSocket) => resumed.push(socket.isSessionReused()));
  }, 60_000);
  afterAll(async () => {
    await conns?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => client?.close());

  const material = () => ({ ca: readFileSync(files.ca), cert: readFileSync(files.clientCert), key: readFileSync(files.clientKey) });

  it('checks the server against the CA, presents the client certificate, keeps the connection', async () => {
    client = createHttp1Client(material());
    const before = conns.accepted();
    expect(await text(client, url, '/')).toBe('hello switchyard');
    expect(await text(client, url, '/')).toBe('hello switchyard');
    expect(conns.accepted() - before).toBe(1);
    // By name too: the certificate is for localhost as well.
    expect(await text(client, new URL(`https://localhost:${url.port}`), '/')).toBe('hello switchyard');
  });

  it('resumes the TLS session on the next connection to the same endpoint', async () => {
    client = createHttp1Client(material());
    resumed.length = 0;
    expect(await text(client, url, '/close')).toBe('hello switchyard');
    expect(await text(client, url, '/')).toBe('hello switchyard');
    expect(resumed).toEqual([false, true]);
  });

  it('refuses a server its CA did not sign', async () => {
    client = createHttp1Client({ cert: readFileSync(files.clientCert), key: readFileSync(files.clientKey) });
    const err = (await failureOf(text(client, url, '/'))) as Http1Error;
    expect(err.failure).toBe('network');
    expect(err.code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/);
  });
});

describe('in a process of its own', () => {
  let server: http.Server;
  let url: URL;
  let conns: ReturnType<typeof track>;
  beforeAll(async () => {
    server = http.createServer((_req, res) => res.end('ok'));
    // The server never closes an idle connection: only the client's unref lets the process end.
    server.keepAliveTimeout = 0;
    url = await listen(server);
    conns = track(server);
  });
  afterAll(() => conns.stop());

  it('exits by itself with a kept-alive connection idle (the compiled client, never closed)', async () => {
    const compiled = join(REPO, 'dist/http1/client.js');
    expect(existsSync(compiled), 'npm run build first').toBe(true);
    const script = `import { createHttp1Client } from ${JSON.stringify(compiled)};
const client = createHttp1Client();
const answer = await client.request(new URL(${JSON.stringify(url.href)}), { method: 'GET', path: '/' }).answer;
console.log(answer.body.toString(), answer.keepAlive);`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 });
    expect(stdout).toBe('ok true\n');
    // The server still held the connection open when the process left: it was kept, yet idle.
    expect(conns.accepted()).toBe(1);
  });
});
