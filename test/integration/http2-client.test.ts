// switchyard's own HTTP/2 client (src/http2) against Node's HTTP/2 server
// (nghttp2: its own HPACK encoder, Huffman strings and dynamic table, flow
// control, CONTINUATION frames), over plain TCP and over TLS with ALPN.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http2 from 'node:http2';
import type { Http2SecureServer, Http2Server, Http2Session, ServerHttp2Stream } from 'node:http2';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectHttp2 } from '../../src/http2/connect.js';
import { Http2Error, MAX_HEADER_BLOCK, type ClientConnection } from '../../src/http2/connection.js';
import { encodeFrame, FRAME } from '../../src/http2/frames.js';
import { generateTlsFiles, type TlsFiles } from '../harness/tls.js';

type Handler = (stream: ServerHttp2Stream, headers: http2.IncomingHttpHeaders, body: Buffer) => void;

const listen = async (server: Http2Server | Http2SecureServer | tls.Server | net.Server): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};

const close = (server: Http2Server | Http2SecureServer | tls.Server | net.Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

/** Dispatches each request, its whole body read, by :path. */
const serve = (server: Http2Server | Http2SecureServer, handlers: Record<string, Handler>, sessions: Http2Session[]): void => {
  server.on('session', (session) => sessions.push(session));
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    // A stream the test resets errors on the server's side too.
    stream.on('error', () => undefined);
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => handlers[String(headers[':path'])]?.(stream, headers, Buffer.concat(chunks)));
  });
};

const post = (path: string, extra: [string, string][] = []): [string, string][] => [[':method', 'POST'], [':scheme', 'http'], [':path', path], [':authority', 'test'], ...extra];

const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

describe('HTTP/2 client over plain TCP', () => {
  let server: Http2Server;
  let origin: string;
  const sessions: Http2Session[] = [];
  const big = randomBytes(20 * 1024 * 1024);
  const resets: number[] = [];
  // Headers that repeat (the encoder indexes them) and change, Huffman-coded where shorter.
  const manyHeaders: Record<string, string> = {};
  for (let i = 0; i < 200; i++) manyHeaders[`x-h-${i % 50}-${i % 7}`] = `value ${i % 13} ${'abc'.repeat(i % 5)}`;

  beforeAll(async () => {
    // A small window, so that a request body must wait for the server's WINDOW_UPDATE frames.
    server = http2.createServer({ settings: { initialWindowSize: 16_384 } });
    serve(
      server,
      {
        '/echo': (stream, headers, body) => {
          stream.respond({ ':status': 200, 'x-length': String(body.length), 'x-sha': sha(body), 'x-token': String(headers.token) }, { waitForTrailers: true });
          stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': 'all%20good' }));
          stream.end(body);
        },
        '/big': (stream) => {
          stream.respond({ ':status': 200 });
          stream.end(big);
        },
        '/headers': (stream) => {
          // More than one frame of headers: the rest comes in CONTINUATION frames.
          stream.respond({ ':status': 200, ...manyHeaders, 'x-large': 'L'.repeat(40_000) });
          stream.end('ok');
        },
        '/slow': (stream, _headers, body) => {
          setTimeout(() => {
            stream.respond({ ':status': 200 });
            stream.end(body);
          }, 200);
        },
        '/refuse': (stream) => stream.close(http2.constants.NGHTTP2_REFUSED_STREAM),
        '/hang': (stream) => stream.on('close', () => resets.push(stream.rstCode)),
        '/status': (stream) => {
          stream.respond({ ':status': 503, 'grpc-status': '14' }, { endStream: true });
        },
      },
      sessions,
    );
    origin = `http://127.0.0.1:${await listen(server)}`;
  });

  afterAll(async () => {
    for (const session of sessions) session.destroy();
    await close(server);
  });

  const withConnection = async (run: (connection: ClientConnection) => Promise<void>): Promise<void> => {
    const connection = connectHttp2(origin);
    try {
      await run(connection);
    } finally {
      connection.close();
    }
  };

  it('sends a body larger than the flow-control window and reads headers, body and trailers', async () => {
    await withConnection(async (connection) => {
      const body = randomBytes(300_000);
      const answer = await connection.request(post('/echo', [['token', 'tok-1']]), body).answer;
      expect(answer.status).toBe(200);
      expect(answer.headers).toMatchObject({ 'x-length': '300000', 'x-sha': sha(body), 'x-token': 'tok-1' });
      expect(answer.body.equals(body)).toBe(true);
      expect(answer.trailers).toEqual({ 'grpc-status': '0', 'grpc-message': 'all%20good' });
    });
  });

  it('reads an answer larger than its receive window (gives the window back as it reads)', async () => {
    await withConnection(async (connection) => {
      const answer = await connection.request(post('/big'), Buffer.alloc(0)).answer;
      expect(answer.body.length).toBe(big.length);
      expect(sha(answer.body)).toBe(sha(big));
    });
  });

  it('decodes many header blocks in a row through the dynamic table, Huffman strings and CONTINUATION frames', async () => {
    await withConnection(async (connection) => {
      for (let i = 0; i < 3; i++) {
        const answer = await connection.request(post('/headers'), Buffer.alloc(0)).answer;
        expect(answer.headers).toMatchObject(manyHeaders);
        expect(answer.headers['x-large']).toBe('L'.repeat(40_000));
        expect(answer.body.toString()).toBe('ok');
      }
    });
  });

  it('answers concurrent requests on one connection, each with its own answer', async () => {
    await withConnection(async (connection) => {
      const bodies = Array.from({ length: 20 }, (_, i) => Buffer.from(`request ${i} `.repeat(i * 500 + 1)));
      const answers = await Promise.all(bodies.map((body, i) => connection.request(post(i % 2 ? '/slow' : '/echo'), body).answer));
      answers.forEach((answer, i) => expect(answer.body.equals(bodies[i] as Buffer)).toBe(true));
    });
  });

  it('rejects a request the server resets, naming the code, and goes on with the next', async () => {
    await withConnection(async (connection) => {
      const err = await connection.request(post('/refuse'), Buffer.from('x')).answer.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Http2Error);
      expect((err as Http2Error).code).toBe(http2.constants.NGHTTP2_REFUSED_STREAM);
      expect((err as Error).message).toContain('REFUSED_STREAM');
      expect((await connection.request(post('/echo'), Buffer.from('again')).answer).body.toString()).toBe('again');
    });
  });

  it('reads an answer that ends with its headers (no body)', async () => {
    await withConnection(async (connection) => {
      const answer = await connection.request(post('/status'), Buffer.from('x')).answer;
      expect(answer.status).toBe(503);
      expect(answer.headers['grpc-status']).toBe('14');
      expect(answer.body.length).toBe(0);
    });
  });

  it('cancels a request with RST_STREAM CANCEL', async () => {
    await withConnection(async (connection) => {
      const pending = connection.request(post('/hang'), Buffer.from('x'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      pending.cancel(new Error('gave up'));
      await expect(pending.answer).rejects.toThrow('gave up');
      const deadline = Date.now() + 5000;
      while (resets.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(resets).toEqual([http2.constants.NGHTTP2_CANCEL]);
    });
  });

  it("answers the server's PING", async () => {
    await withConnection(async (connection) => {
      await connection.request(post('/echo'), Buffer.from('x')).answer;
      const session = sessions.at(-1) as Http2Session;
      const acked = await new Promise<boolean>((resolve) => session.ping((err) => resolve(!err)));
      expect(acked).toBe(true);
    });
  });

  it('stops using a connection the server is closing (GOAWAY) and rejects what comes after', async () => {
    await withConnection(async (connection) => {
      await connection.request(post('/echo'), Buffer.from('x')).answer;
      (sessions.at(-1) as Http2Session).close();
      const deadline = Date.now() + 5000;
      while (connection.usable && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(connection.usable).toBe(false);
      await expect(connection.request(post('/echo'), Buffer.from('x')).answer).rejects.toThrow(Http2Error);
    });
  });

  it('rejects what is pending when the connection breaks, naming the server', async () => {
    await withConnection(async (connection) => {
      const pending = connection.request(post('/hang'), Buffer.from('x'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      (sessions.at(-1) as Http2Session).destroy();
      await expect(pending.answer).rejects.toThrow(origin);
    });
  });

  it('names the server when nothing listens', async () => {
    const probe = http2.createServer();
    const port = await listen(probe);
    await close(probe);
    const connection = connectHttp2(`http://127.0.0.1:${port}`);
    await expect(connection.request(post('/echo'), Buffer.from('x')).answer).rejects.toThrow(new RegExp(`127\\.0\\.0\\.1:${port}.*ECONNREFUSED`));
    connection.close();
  });
});

describe('HTTP/2 client over TLS', () => {
  let dir: string;
  let files: TlsFiles;
  let h2: Http2SecureServer;
  let http11: tls.Server;
  let noAlpn: tls.Server;
  const sessions: Http2Session[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-h2-tls-'));
    files = await generateTlsFiles(dir);
    const key = readFileSync(files.serverKey);
    const cert = readFileSync(files.serverCert);
    const ca = readFileSync(files.ca);
    h2 = http2.createSecureServer({ key, cert, ca, requestCert: true, rejectUnauthorized: true });
    serve(h2, { '/who': (stream) => stream.respond({ ':status': 200, 'x-client': String((stream.session?.socket as tls.TLSSocket).getPeerCertificate().subject?.CN) }, { endStream: true }) }, sessions);
    http11 = tls.createServer({ key, cert, ALPNProtocols: ['http/1.1'] }, (socket) => socket.end());
    noAlpn = tls.createServer({ key, cert }, (socket) => socket.end());
    await listen(h2);
    await listen(http11);
    await listen(noAlpn);
  });

  afterAll(async () => {
    for (const session of sessions) session.destroy();
    await close(h2);
    await close(http11);
    await close(noAlpn);
    rmSync(dir, { recursive: true, force: true });
  });

  it('agrees on h2 by ALPN and presents the client certificate', async () => {
    const origin = `https://127.0.0.1:${(h2.address() as AddressInfo).port}`;
    const connection = connectHttp2(origin, { ca: readFileSync(files.ca), cert: readFileSync(files.clientCert), key: readFileSync(files.clientKey) });
    try {
      const answer = await connection.request([[':method', 'GET'], [':scheme', 'https'], [':path', '/who'], [':authority', '127.0.0.1']], Buffer.alloc(0)).answer;
      expect(answer.status).toBe(200);
      expect(answer.headers['x-client']).toBe('switchyard');
    } finally {
      connection.close();
    }
  });

  it('refuses a server whose certificate the CA did not sign', async () => {
    const origin = `https://127.0.0.1:${(h2.address() as AddressInfo).port}`;
    const connection = connectHttp2(origin, { cert: readFileSync(files.clientCert), key: readFileSync(files.clientKey) });
    await expect(connection.request([[':method', 'GET'], [':scheme', 'https'], [':path', '/who'], [':authority', '127.0.0.1']], Buffer.alloc(0)).answer).rejects.toThrow(
      /certificate/i,
    );
    connection.close();
  });

  const get = (connection: ClientConnection): Promise<unknown> =>
    connection.request([[':method', 'GET'], [':scheme', 'https'], [':path', '/'], [':authority', '127.0.0.1']], Buffer.alloc(0)).answer;

  it('refuses a TLS server that agrees on no protocol, and one that offers only HTTP/1.1', async () => {
    const silent = connectHttp2(`https://127.0.0.1:${(noAlpn.address() as AddressInfo).port}`, { ca: readFileSync(files.ca) });
    await expect(get(silent)).rejects.toThrow(/did not agree to HTTP\/2 over TLS \(ALPN: none\)/);
    silent.close();
    const http1 = connectHttp2(`https://127.0.0.1:${(http11.address() as AddressInfo).port}`, { ca: readFileSync(files.ca) });
    await expect(get(http1)).rejects.toThrow(/no application protocol/);
    http1.close();
  });
});

describe('HTTP/2 client against servers that misbehave', () => {
  const servers: net.Server[] = [];
  /** A TCP server that answers the client's preface with `reply(socket)`. */
  const rawServer = async (reply: (socket: net.Socket) => void): Promise<string> => {
    const server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => reply(socket));
    });
    servers.push(server);
    return `http://127.0.0.1:${await listen(server)}`;
  };

  afterAll(async () => {
    for (const server of servers) await close(server);
  });

  const request = (origin: string): Promise<unknown> => {
    const connection = connectHttp2(origin);
    return connection.request(post('/x'), Buffer.from('x')).answer.finally(() => connection.close());
  };

  it('refuses a header block that never ends, before it fills the memory', async () => {
    let sent = 0;
    const origin = await rawServer((socket) => {
      socket.write(encodeFrame(FRAME.SETTINGS, 0, 0));
      // HEADERS without END_HEADERS, then CONTINUATION frames of 16 KiB until the client hangs up.
      socket.write(encodeFrame(FRAME.HEADERS, 0, 1, Buffer.from([0x88])));
      const more = (): void => {
        while (!socket.destroyed && socket.write(encodeFrame(FRAME.CONTINUATION, 0, 1, Buffer.alloc(16_384, 0x88)))) sent += 16_384;
        if (!socket.destroyed) socket.once('drain', more);
      };
      more();
    });
    await expect(request(origin)).rejects.toThrow(new RegExp(`${origin} sent a header block of more than ${MAX_HEADER_BLOCK} octets`));
    expect(sent).toBeGreaterThan(MAX_HEADER_BLOCK);
  });

  it('names a server that answers in HTTP/1.1', async () => {
    const origin = await rawServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n'));
    await expect(request(origin)).rejects.toThrow(new RegExp(`${origin} sent what is not HTTP/2`));
  });

  it('names a server that closes without answering', async () => {
    const origin = await rawServer((socket) => socket.end(encodeFrame(FRAME.SETTINGS, 0, 0)));
    await expect(request(origin)).rejects.toThrow(new RegExp(`${origin} closed the connection before answering`));
  });
});
