// A node:http server on a free port that records each request (method, URL,
// headers, body) and answers from a function, for tests of HTTP clients.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ScriptedAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Never answer (the request hangs until the client gives up). */
  hang?: boolean;
  /** Send the status line and half the body, then drop the connection. */
  cut?: boolean;
}

export interface ScriptedHttpServer {
  url: string;
  requests: RecordedRequest[];
  /** Connections accepted so far, and how many of them are still open. */
  connections(): { accepted: number; open: number };
  answer(fn: (req: RecordedRequest) => ScriptedAnswer): void;
  close(): Promise<void>;
}

export const startScriptedHttpServer = async (): Promise<ScriptedHttpServer> => {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let accepted = 0;
  let answerWith: (req: RecordedRequest) => ScriptedAnswer = () => ({ status: 200 });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(recorded);
      const a = answerWith(recorded);
      if (a.hang) return;
      const body = a.body ?? '';
      if (a.cut) {
        res.writeHead(a.status ?? 200, { ...a.headers, 'content-length': String(Buffer.byteLength(body)) });
        res.write(body.slice(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
        return;
      }
      res.writeHead(a.status ?? 200, a.headers ?? {});
      res.end(body);
    });
  });
  server.on('connection', (socket: Socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    connections: () => ({ accepted, open: sockets.size }),
    answer: (fn) => {
      answerWith = fn;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
