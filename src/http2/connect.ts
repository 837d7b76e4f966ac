// The socket under an HTTP/2 connection to an http:// or https:// origin:
// plain TCP (h2c with prior knowledge, as gRPC servers speak it) or TLS
// that agreed on h2 by ALPN. node:tls is loaded only for https://.
import type { Duplex } from 'node:stream';
import { openClientConnection, type ClientConnection } from './connection.js';

/** TLS material for https:// origins (PEM); without `ca`, the system's roots are trusted. */
export interface TlsMaterial {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
}

const socketTo = (url: URL, tls: TlsMaterial): Duplex => {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const secure = url.protocol === 'https:';
  const port = Number(url.port) || (secure ? 443 : 80);
  if (!secure) return process.getBuiltinModule('node:net').connect({ host, port });
  const isIp = process.getBuiltinModule('node:net').isIP(host) !== 0;
  const socket = process.getBuiltinModule('node:tls').connect({ host, port, servername: isIp ? undefined : host, ALPNProtocols: ['h2'], ...tls });
  socket.once('secureConnect', () => {
    if (socket.alpnProtocol !== 'h2') socket.destroy(new Error(`the server did not agree to HTTP/2 over TLS (ALPN: ${socket.alpnProtocol || 'none'})`));
  });
  return socket;
};

/** Opens an HTTP/2 connection to `origin` (http://host:port or https://host:port). */
export const connectHttp2 = (origin: string, tls: TlsMaterial = {}): ClientConnection => {
  const url = new URL(origin);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${origin}: not an http:// or https:// address`);
  return openClientConnection(socketTo(url, tls), url.origin);
};
