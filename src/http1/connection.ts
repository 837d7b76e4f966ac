// One keep-alive connection: one request at a time, its answer read by a
// ResponseReader. The socket's listeners are added once, when it opens, and
// serve each request in turn, so a connection used a thousand times holds
// the same four. An idle connection does not keep the process alive
// (unref); one with a request in flight does. Data from a server that was
// not asked anything, or after the end of an answer, closes the connection.
import type { Socket } from 'node:net';
import { Http1Error } from './error.js';
import { ResponseReader, type Http1Answer } from './response-reader.js';

export interface Connection {
  /** Sends the whole request in one write and reads its answer; only on an idle connection. */
  exchange(request: Buffer, head: boolean): Promise<Http1Answer>;
  /** Idle and open: it can take a request. */
  readonly usable: boolean;
  /** Requests sent before the one in flight (0 on a new connection). */
  readonly uses: number;
  /** Closes the connection; the request in flight, if any, rejects with `reason`. */
  destroy(reason: Error): void;
  /** Closes the connection if request number `use` (`uses` when it was sent) is still in flight on it. */
  cancel(use: number, reason: Error): void;
}

export interface ConnectionEvents {
  /** The answer was read and the server keeps the connection open: it may take another request. */
  idle(connection: Connection): void;
  /** The socket closed. */
  gone(connection: Connection): void;
}

interface InFlight {
  use: number;
  reader: ResponseReader;
  resolve(answer: Http1Answer): void;
  reject(err: Error): void;
}

/** Wraps `socket` (connected or connecting) to `origin`, named in errors. */
export const openConnection = (socket: Socket, origin: string, events: ConnectionEvents): Connection => {
  let current: InFlight | undefined;
  let uses = -1;

  const fail = (err: Error): void => {
    const request = current;
    current = undefined;
    socket.destroy();
    if (!request) return;
    if (err instanceof Http1Error) err.beforeAnswer = !request.reader.started;
    request.reject(err);
  };

  const complete = (clean: boolean): void => {
    const request = current as InFlight;
    current = undefined;
    const answer = request.reader.answer();
    if (answer.keepAlive && clean && !socket.destroyed && socket.writable) {
      socket.unref();
      events.idle(connection);
    } else {
      socket.destroy();
    }
    request.resolve(answer);
  };

  const onEnd = (): void => {
    if (!current) return void socket.destroy();
    try {
      current.reader.end();
      complete(false);
    } catch (err) {
      fail(err as Error);
    }
  };

  socket.on('data', (chunk: Buffer) => {
    if (!current) return fail(new Http1Error(`${origin} sent data without being asked`, 'malformed'));
    try {
      const rest = current.reader.push(chunk);
      if (current.reader.done) complete(rest.length === 0);
    } catch (err) {
      fail(err as Error);
    }
  });
  socket.on('end', onEnd);
  socket.on('error', (err: Error) => fail(new Http1Error(`${origin}: ${err.message}`, 'network', err)));
  socket.on('close', () => {
    onEnd();
    events.gone(connection);
  });

  const connection: Connection = {
    exchange: (request, head) =>
      new Promise<Http1Answer>((resolve, reject) => {
        if (current || socket.destroyed) return reject(new Error(`the connection to ${origin} is not idle`));
        uses += 1;
        current = { use: uses, reader: new ResponseReader(origin, head), resolve, reject };
        socket.ref();
        socket.write(request);
      }),
    get usable() {
      return !current && !socket.destroyed && socket.writable;
    },
    get uses() {
      return uses;
    },
    destroy: fail,
    cancel: (use, reason) => {
      if (current?.use === use) fail(reason);
    },
  };
  return connection;
};
