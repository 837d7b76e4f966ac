// A tiny upstream app for proxy tests: answers its name on every path and
// "ok" on /health, on a free loopback port, in the test's own process. With
// `failEvery: N`, every Nth request to a path other than /health gets a 500
// ("<name> error"), so a test knows exactly how many failures it caused.
import { createServer, type Server } from 'node:http';
import { freePort } from './ports.js';

export interface HttpApp {
  readonly name: string;
  readonly port: number;
  /** `127.0.0.1:PORT`, as a proxy config wants it. */
  readonly addr: string;
  /** Requests answered (other than /health), and how many of them with 500. */
  readonly served: { requests: number; failures: number };
  stop(): Promise<void>;
}

export interface HttpAppOptions {
  failEvery?: number;
}

export const startHttpApp = async (name: string, options: HttpAppOptions = {}): Promise<HttpApp> => {
  const port = await freePort();
  const served = { requests: 0, failures: 0 };
  const server: Server = createServer((req, res) => {
    if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain', 'x-app': name });
      res.end('ok');
      return;
    }
    served.requests += 1;
    const fail = options.failEvery !== undefined && served.requests % options.failEvery === 0;
    if (fail) served.failures += 1;
    res.writeHead(fail ? 500 : 200, { 'content-type': 'text/plain', 'x-app': name });
    res.end(fail ? `${name} error` : name);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    name,
    port,
    addr: `127.0.0.1:${port}`,
    served,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
