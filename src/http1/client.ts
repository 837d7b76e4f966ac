// An HTTP/1.1 client with keep-alive over node:net (node:tls for https://):
// what node:http's agent did for the Consul backend, without loading
// node:http. Connections are pooled per endpoint (host, port, protocol):
// a request takes an idle one or opens another, so requests in flight at
// once (long blocking queries) each have their own; a connection goes back
// to the pool when its answer was read whole and the server keeps it open.
// A GET that fails on a reused connection before any answer (the server
// closed it while idle, as the request went out) is sent again on a new one.
import { destinationOf, type Destination, type TlsMaterial } from '../http-endpoint.js';
import { openConnection, type Connection } from './connection.js';
import { Http1Error } from './error.js';
import { encodeRequest, type Http1Request } from './request-head.js';
import type { Http1Answer } from './response-reader.js';
import { openSocket, type SessionCache } from './socket.js';

export interface PendingAnswer {
  answer: Promise<Http1Answer>;
  /** Gives up on the request: its connection is closed and `answer` rejects with `reason`. */
  cancel(reason: Error): void;
}

export interface Http1Client {
  request(endpoint: URL, request: Http1Request): PendingAnswer;
  /** Closes every connection, idle or busy; requests in flight reject. Later requests open new ones. */
  close(): void;
}

interface Pool extends SessionCache {
  idle: Connection[];
  all: Set<Connection>;
}

// Beyond this many idle connections to an endpoint, one that becomes idle is closed.
const MAX_IDLE = 64;

export const createHttp1Client = (tls?: TlsMaterial): Http1Client => {
  const pools = new Map<string, Pool>();

  const poolOf = (to: Destination): Pool => {
    const key = `${to.host}:${to.port}:${to.secure ? 'https' : 'http'}`;
    let pool = pools.get(key);
    if (!pool) {
      pool = { idle: [], all: new Set() };
      pools.set(key, pool);
    }
    return pool;
  };

  const connect = (to: Destination, pool: Pool): Connection => {
    const connection = openConnection(openSocket(to, tls, pool), to.origin, {
      idle: (c) => {
        if (pool.idle.length >= MAX_IDLE) c.destroy(new Http1Error(`${to.origin} has ${MAX_IDLE} idle connections already`, 'closed'));
        else pool.idle.push(c);
      },
      gone: (c) => {
        pool.all.delete(c);
        const at = pool.idle.indexOf(c);
        if (at >= 0) pool.idle.splice(at, 1);
      },
    });
    pool.all.add(connection);
    return connection;
  };

  /** The most recently used idle connection (the likeliest to be still open), else a new one. */
  const take = (to: Destination, pool: Pool): Connection => {
    for (let idle = pool.idle.pop(); idle; idle = pool.idle.pop()) if (idle.usable) return idle;
    return connect(to, pool);
  };

  const request = (endpoint: URL, call: Http1Request): PendingAnswer => {
    // The connection the request is on, and its number there.
    let connection: Connection | undefined;
    let use = 0;
    let cancelled: Error | undefined;
    const send = (on: Connection, octets: Buffer): Promise<Http1Answer> => {
      connection = on;
      const answer = on.exchange(octets, call.method === 'HEAD');
      use = on.uses;
      return answer;
    };
    const exchange = async (): Promise<Http1Answer> => {
      const to = destinationOf(endpoint);
      const octets = encodeRequest(endpoint.host, call);
      const pool = poolOf(to);
      try {
        return await send(take(to, pool), octets);
      } catch (err) {
        const stale = err instanceof Http1Error && err.beforeAnswer && err.failure !== 'closed' && use > 0;
        if (!stale || cancelled || (call.method !== 'GET' && call.method !== 'HEAD')) throw err;
        return send(connect(to, pool), octets);
      }
    };
    return {
      answer: exchange(),
      cancel: (reason) => {
        cancelled = reason;
        connection?.cancel(use, reason);
      },
    };
  };

  return {
    request,
    close: () => {
      for (const pool of pools.values()) {
        for (const connection of [...pool.all]) connection.destroy(new Http1Error('the client was closed', 'closed'));
      }
      pools.clear();
    },
  };
};
