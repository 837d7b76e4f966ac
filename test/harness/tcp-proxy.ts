// A loopback TCP proxy that tests can break on purpose: drop every
// connection and refuse new ones, or go silent (a half-open peer that
// accepts bytes and never answers), then forward again.
import { createServer, connect, type Socket } from 'node:net';
import { freePort } from './ports.js';

export type ProxyMode = 'forward' | 'refuse' | 'blackhole';

export interface TcpProxy {
  readonly port: number;
  /** `http://127.0.0.1:PORT`. */
  readonly endpoint: string;
  setMode(mode: ProxyMode): void;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream?: Socket;
}

export const startTcpProxy = async (targetPort: number, scheme = 'http'): Promise<TcpProxy> => {
  const port = await freePort();
  const pairs = new Set<Pair>();
  let mode: ProxyMode = 'forward';

  const drop = (pair: Pair): void => {
    pair.client.destroy();
    pair.upstream?.destroy();
    pairs.delete(pair);
  };
  const silence = (pair: Pair): void => {
    pair.upstream?.unpipe(pair.client);
    pair.client.unpipe(pair.upstream);
    pair.upstream?.pause();
    pair.client.on('data', () => undefined);
  };

  const server = createServer((client) => {
    const pair: Pair = { client };
    pairs.add(pair);
    client.on('error', () => drop(pair));
    client.on('close', () => drop(pair));
    if (mode === 'refuse') return drop(pair);
    if (mode === 'blackhole') return void client.on('data', () => undefined);
    const upstream = connect(targetPort, '127.0.0.1');
    pair.upstream = upstream;
    upstream.on('error', () => drop(pair));
    upstream.on('close', () => drop(pair));
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });

  return {
    port,
    endpoint: `${scheme}://127.0.0.1:${port}`,
    setMode: (next) => {
      mode = next;
      for (const pair of [...pairs]) {
        if (next === 'refuse') drop(pair);
        else if (next === 'blackhole') silence(pair);
        // Silenced connections stay dead; clients reconnect through new ones.
        else if (!pair.upstream || pair.upstream.isPaused()) drop(pair);
      }
    },
    close: async () => {
      for (const pair of [...pairs]) drop(pair);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
