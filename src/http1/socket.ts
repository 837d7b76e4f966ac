// The socket to an http:// or https:// endpoint: plain TCP, or TLS that
// checks the server's certificate against the CA given (else the system's
// roots) and presents the client certificate, naming the host for SNI
// unless it is an IP address, and resuming the endpoint's last session, as
// node:https does. node:tls is loaded at the first https:// connection only.
import type { Socket } from 'node:net';
import { serverNameOf, type Destination, type TlsMaterial } from '../http-endpoint.js';

/** A TLS session to resume on the next connection to the same endpoint, as node:https's agent keeps one. */
export interface SessionCache {
  session?: Buffer;
}

const configured = (socket: Socket): Socket => {
  socket.setNoDelay(true);
  socket.setKeepAlive(true, 1000);
  return socket;
};

/** Opens a connection (it may still be connecting: writes wait for it). */
export const openSocket = (to: Destination, tls: TlsMaterial | undefined, cache: SessionCache): Socket => {
  if (!to.secure) return configured(process.getBuiltinModule('node:net').connect({ host: to.host, port: to.port }));
  const socket = process.getBuiltinModule('node:tls').connect({ host: to.host, port: to.port, servername: serverNameOf(to.host), session: cache.session, ...tls });
  socket.on('session', (session: Buffer) => {
    cache.session = session;
  });
  // A failed handshake may be the session's fault: the next connection starts afresh.
  socket.once('error', () => {
    cache.session = undefined;
  });
  return configured(socket);
};

