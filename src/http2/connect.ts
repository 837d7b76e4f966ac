// The socket under an HTTP/2 connection to an http:// or https:// origin:
// plain TCP (h2c with prior knowledge, as gRPC servers speak it) or TLS
// that agreed on h2 by ALPN. node:tls is loaded only for https://.
import type { Duplex } from 'node:stream';
import { destinationOf, serverNameOf, type Destination, type TlsMaterial } from '../http-endpoint.js';
import { openClientConnection, type ClientConnection } from './connection.js';

const socketTo = (to: Destination, tls: TlsMaterial): Duplex => {
  if (!to.secure) return process.getBuiltinModule('node:net').connect({ host: to.host, port: to.port });
  const socket = process.getBuiltinModule('node:tls').connect({ host: to.host, port: to.port, servername: serverNameOf(to.host), ALPNProtocols: ['h2'], ...tls });
  socket.once('secureConnect', () => {
    if (socket.alpnProtocol !== 'h2') socket.destroy(new Error(`the server did not agree to HTTP/2 over TLS (ALPN: ${socket.alpnProtocol || 'none'})`));
  });
  return socket;
};

/** Opens an HTTP/2 connection to `origin` (http://host:port or https://host:port). */
export const connectHttp2 = (origin: string, tls: TlsMaterial = {}): ClientConnection => {
  const to = destinationOf(new URL(origin));
  return openClientConnection(socketTo(to, tls), to.origin);
};
