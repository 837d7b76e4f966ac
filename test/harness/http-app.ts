// A tiny upstream app for proxy tests: answers its name on every path and
// "ok" on /health, on a free loopback port, in the test's own process.
import { createServer, type Server } from 'node:http';
import { freePort } from './ports.js';

export interface HttpApp {
  readonly name: string;
  readonly port: number;
  /** `127.0.0.1:PORT`, as a proxy config wants it. */
  readonly addr: string;
  stop(): Promise<void>;
}

export const startHttpApp = async (name: string): Promise<HttpApp> => {
  const port = await freePort();
  const server: Server = createServer((req, res) => {
    const body = req.url === '/health' ? 'ok' : name;
    res.writeHead(200, { 'content-type': 'text/plain', 'x-app': name });
    res.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    name,
    port,
    addr: `127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
