// A client's side of one HTTP/2 connection (RFC 9113) for requests whose
// whole body is known and whose whole answer is wanted: what unary gRPC
// calls need, without node:http2 (whose loading, with node:tls and
// node:crypto, costs a one-shot run more than its reads). Flow control both
// ways, SETTINGS, PING, GOAWAY and RST_STREAM are honoured; server push is
// turned off; header blocks are decoded in order with the connection's
// dynamic table, CONTINUATION frames included.
import type { Duplex } from 'node:stream';
import {
  CLIENT_PREFACE,
  DEFAULT_MAX_FRAME,
  DEFAULT_WINDOW,
  encodeFrame,
  encodeRstStream,
  encodeSettings,
  encodeWindowUpdate,
  ERROR_CODE,
  errorName,
  FLAG,
  FRAME,
  FrameReader,
  MAX_WINDOW,
  SETTING,
  unpadded,
  type Frame,
} from './frames.js';
import { encodeHeaderBlock, HeaderDecoder, type HeaderField } from './hpack.js';

/** The exchange failed: the connection broke, the server reset the request or broke the protocol. `code` is HTTP/2's error code when the server gave one. */
export class Http2Error extends Error {
  override readonly name = 'Http2Error';
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
  }
}

export interface Http2Answer {
  status: number;
  headers: Record<string, string>;
  /** The header block after the body (gRPC's status); empty when there was none. */
  trailers: Record<string, string>;
  body: Buffer;
}

export interface PendingRequest {
  answer: Promise<Http2Answer>;
  /** Gives up on the request (RST_STREAM CANCEL); `answer` rejects with `reason`. */
  cancel(reason: Error): void;
}

export interface ClientConnection {
  /** Sends a request: pseudo-headers first, names lower case. */
  request(headers: readonly HeaderField[], body: Buffer): PendingRequest;
  /** False once the connection failed, closed or the server said it goes away: open another. */
  readonly usable: boolean;
  close(): void;
}

interface StreamState {
  status: number | undefined;
  headers: Record<string, string>;
  trailers: Record<string, string>;
  chunks: Buffer[];
  /** Body octets not yet sent (flow control). */
  unsent: Buffer;
  sendWindow: number;
  /** Octets received and read that the server has not been given back. */
  unacknowledged: number;
  resolve(answer: Http2Answer): void;
  reject(err: Error): void;
}

// Answers of ten thousand keys are a few hundred KB: windows that large save round trips of flow control.
const RECEIVE_WINDOW = 16 * 1024 * 1024;

/** The largest header block read (HEADERS and its CONTINUATION frames): gRPC's are a few hundred octets; a server that sends more is refused before it fills the memory. */
export const MAX_HEADER_BLOCK = 256 * 1024;

const record = (fields: readonly HeaderField[]): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, value] of fields) out[name] = name in out ? `${out[name]}, ${value}` : value;
  return out;
};

/**
 * Speaks HTTP/2 over `socket` (connected or connecting; for TLS, after ALPN
 * chose h2). `origin` names the server in errors.
 */
export const openClientConnection = (socket: Duplex, origin: string): ClientConnection => {
  const streams = new Map<number, StreamState>();
  const reader = new FrameReader(DEFAULT_MAX_FRAME);
  const decoder = new HeaderDecoder();
  let nextStream = 1;
  let usable = true;
  let failure: string | undefined;
  let peerMaxFrame = DEFAULT_MAX_FRAME;
  let peerInitialWindow = DEFAULT_WINDOW;
  let connectionSendWindow = DEFAULT_WINDOW;
  let connectionUnacknowledged = 0;
  // A header block in progress (HEADERS then CONTINUATION until END_HEADERS).
  let block: { stream: number; endStream: boolean; parts: Buffer[]; size: number } | undefined;

  const write = (...frames: Buffer[]): void => {
    if (!socket.destroyed) socket.write(frames.length === 1 ? frames[0] : Buffer.concat(frames));
  };

  const fail = (message: string, code?: number): void => {
    usable = false;
    failure ??= message;
    for (const stream of streams.values()) stream.reject(new Http2Error(message, code));
    streams.clear();
    socket.destroy();
  };

  const finish = (id: number, stream: StreamState): void => {
    streams.delete(id);
    if (stream.status === undefined) return stream.reject(new Http2Error(`${origin} ended the request without answering it`));
    const body = stream.chunks.length === 1 ? (stream.chunks[0] as Buffer) : Buffer.concat(stream.chunks);
    stream.resolve({ status: stream.status, headers: stream.headers, trailers: stream.trailers, body });
  };

  /** Sends what flow control lets through of each stream's body. */
  const flush = (): void => {
    const frames: Buffer[] = [];
    for (const [id, stream] of streams) {
      while (stream.unsent.length > 0 && connectionSendWindow > 0 && stream.sendWindow > 0) {
        const size = Math.min(stream.unsent.length, peerMaxFrame, connectionSendWindow, stream.sendWindow);
        const last = size === stream.unsent.length;
        frames.push(encodeFrame(FRAME.DATA, last ? FLAG.END_STREAM : 0, id, stream.unsent.subarray(0, size)));
        stream.unsent = stream.unsent.subarray(size);
        connectionSendWindow -= size;
        stream.sendWindow -= size;
      }
    }
    if (frames.length > 0) write(...frames);
  };

  const onHeaderBlock = (id: number, endStream: boolean, octets: Buffer): void => {
    // Every block is decoded, whoever it is for: they share the dynamic table.
    const fields = decoder.decode(octets);
    const stream = streams.get(id);
    if (!stream) return;
    if (stream.status === undefined) {
      const status = Number(fields.find(([name]) => name === ':status')?.[1]);
      if (!Number.isInteger(status)) return fail(`${origin} answered without a valid :status`, ERROR_CODE.PROTOCOL_ERROR);
      // 1xx answers are not the answer.
      if (status >= 200) {
        stream.status = status;
        stream.headers = record(fields);
      }
    } else {
      stream.trailers = record(fields);
    }
    if (endStream) finish(id, stream);
  };

  const onData = (frame: Frame): void => {
    const data = unpadded(frame);
    if (!data) return fail(`${origin} sent DATA padded beyond its length`, ERROR_CODE.PROTOCOL_ERROR);
    // Flow control counts the whole payload, padding included.
    connectionUnacknowledged += frame.payload.length;
    const updates: Buffer[] = [];
    if (connectionUnacknowledged >= RECEIVE_WINDOW / 2) {
      updates.push(encodeWindowUpdate(0, connectionUnacknowledged));
      connectionUnacknowledged = 0;
    }
    const stream = streams.get(frame.stream);
    if (stream) {
      if (data.length > 0) stream.chunks.push(data);
      stream.unacknowledged += frame.payload.length;
      if (frame.flags & FLAG.END_STREAM) finish(frame.stream, stream);
      else if (stream.unacknowledged >= RECEIVE_WINDOW / 2) {
        updates.push(encodeWindowUpdate(frame.stream, stream.unacknowledged));
        stream.unacknowledged = 0;
      }
    }
    if (updates.length > 0) write(...updates);
  };

  const onSettings = (frame: Frame): void => {
    if (frame.flags & FLAG.ACK) return;
    if (frame.payload.length % 6 !== 0) return fail(`${origin} sent SETTINGS of ${frame.payload.length} octets`, ERROR_CODE.FRAME_SIZE_ERROR);
    for (let at = 0; at < frame.payload.length; at += 6) {
      const id = frame.payload.readUInt16BE(at);
      const value = frame.payload.readUInt32BE(at + 2);
      if (id === SETTING.MAX_FRAME_SIZE) {
        if (value < DEFAULT_MAX_FRAME || value > 2 ** 24 - 1) return fail(`${origin} set a frame size of ${value}`, ERROR_CODE.PROTOCOL_ERROR);
        peerMaxFrame = value;
      } else if (id === SETTING.INITIAL_WINDOW_SIZE) {
        if (value > MAX_WINDOW) return fail(`${origin} set a window of ${value}`, ERROR_CODE.FLOW_CONTROL_ERROR);
        for (const stream of streams.values()) stream.sendWindow += value - peerInitialWindow;
        peerInitialWindow = value;
      }
    }
    write(encodeFrame(FRAME.SETTINGS, FLAG.ACK, 0));
    flush();
  };

  const onGoAway = (frame: Frame): void => {
    if (frame.payload.length < 8) return fail(`${origin} sent a GOAWAY of ${frame.payload.length} octets`, ERROR_CODE.FRAME_SIZE_ERROR);
    usable = false;
    const last = frame.payload.readUInt32BE(0) & 0x7fffffff;
    const code = frame.payload.readUInt32BE(4);
    const debug = frame.payload.subarray(8).toString('latin1');
    const why = `${origin} is closing the connection (${errorName(code)}${debug ? `: ${debug}` : ''})`;
    // Requests above `last` were not processed; those at or below it still get their answers.
    for (const [id, stream] of streams) {
      if (id > last) {
        streams.delete(id);
        stream.reject(new Http2Error(`${why} before it read the request`, code));
      }
    }
    failure ??= why;
  };

  const onFrame = (frame: Frame): void => {
    if (block && frame.type !== FRAME.CONTINUATION) return fail(`${origin} interleaved a frame within a header block`, ERROR_CODE.PROTOCOL_ERROR);
    switch (frame.type) {
      case FRAME.DATA:
        return onData(frame);
      case FRAME.HEADERS: {
        const octets = unpadded(frame);
        if (!octets) return fail(`${origin} sent HEADERS padded beyond its length`, ERROR_CODE.PROTOCOL_ERROR);
        const endStream = (frame.flags & FLAG.END_STREAM) !== 0;
        if (frame.flags & FLAG.END_HEADERS) return onHeaderBlock(frame.stream, endStream, octets);
        block = { stream: frame.stream, endStream, parts: [octets], size: octets.length };
        return;
      }
      case FRAME.CONTINUATION: {
        if (!block || block.stream !== frame.stream) return fail(`${origin} sent CONTINUATION outside a header block`, ERROR_CODE.PROTOCOL_ERROR);
        block.parts.push(frame.payload);
        block.size += frame.payload.length;
        if (block.size > MAX_HEADER_BLOCK) return fail(`${origin} sent a header block of more than ${MAX_HEADER_BLOCK} octets`, ERROR_CODE.PROTOCOL_ERROR);
        if (!(frame.flags & FLAG.END_HEADERS)) return;
        const { stream, endStream, parts } = block;
        block = undefined;
        return onHeaderBlock(stream, endStream, Buffer.concat(parts));
      }
      case FRAME.RST_STREAM: {
        const stream = streams.get(frame.stream);
        if (!stream || frame.payload.length < 4) return;
        const code = frame.payload.readUInt32BE(0);
        streams.delete(frame.stream);
        return stream.reject(new Http2Error(`${origin} reset the request (${errorName(code)})`, code));
      }
      case FRAME.SETTINGS:
        return onSettings(frame);
      case FRAME.PING:
        if (!(frame.flags & FLAG.ACK)) write(encodeFrame(FRAME.PING, FLAG.ACK, 0, frame.payload));
        return;
      case FRAME.GOAWAY:
        return onGoAway(frame);
      case FRAME.WINDOW_UPDATE: {
        if (frame.payload.length !== 4) return fail(`${origin} sent a WINDOW_UPDATE of ${frame.payload.length} octets`, ERROR_CODE.FRAME_SIZE_ERROR);
        const increment = frame.payload.readUInt32BE(0) & 0x7fffffff;
        if (frame.stream === 0) connectionSendWindow += increment;
        else {
          const stream = streams.get(frame.stream);
          if (stream) stream.sendWindow += increment;
        }
        return flush();
      }
      case FRAME.PUSH_PROMISE:
        return fail(`${origin} pushed a stream, which this client turned off`, ERROR_CODE.PROTOCOL_ERROR);
      default:
        // PRIORITY and frame types this client does not know are ignored.
        return;
    }
  };

  socket.on('data', (chunk: Buffer) => {
    try {
      for (const frame of reader.push(chunk)) {
        onFrame(frame);
        // Failed while reading this chunk: the rest of it is for nobody.
        if (socket.destroyed) return;
      }
    } catch (err) {
      fail(`${origin} sent what is not HTTP/2: ${(err as Error).message}`, ERROR_CODE.PROTOCOL_ERROR);
    }
  });
  socket.on('error', (err: Error) => fail(`${origin}: ${err.message}`));
  socket.on('close', () => fail(failure ?? `${origin} closed the connection before answering`));
  (socket as Duplex & { setNoDelay?(noDelay: boolean): void }).setNoDelay?.(true);

  write(
    CLIENT_PREFACE,
    encodeFrame(FRAME.SETTINGS, 0, 0, encodeSettings([[SETTING.ENABLE_PUSH, 0], [SETTING.INITIAL_WINDOW_SIZE, RECEIVE_WINDOW]])),
    encodeWindowUpdate(0, RECEIVE_WINDOW - DEFAULT_WINDOW),
  );

  return {
    request: (headers, body) => {
      let stream: StreamState | undefined;
      const id = nextStream;
      const answer = new Promise<Http2Answer>((resolve, reject) => {
        if (!usable) return reject(new Http2Error(failure ?? `the connection to ${origin} is closed`));
        const octets = encodeHeaderBlock(headers);
        nextStream += 2;
        if (nextStream > MAX_WINDOW) usable = false;
        stream = { status: undefined, headers: {}, trailers: {}, chunks: [], unsent: body, sendWindow: peerInitialWindow, unacknowledged: 0, resolve, reject };
        streams.set(id, stream);
        const frames: Buffer[] = [];
        for (let at = 0; at === 0 || at < octets.length; at += peerMaxFrame) {
          const part = octets.subarray(at, at + peerMaxFrame);
          const last = at + peerMaxFrame >= octets.length;
          const flags = (last ? FLAG.END_HEADERS : 0) | (at === 0 && body.length === 0 ? FLAG.END_STREAM : 0);
          frames.push(encodeFrame(at === 0 ? FRAME.HEADERS : FRAME.CONTINUATION, flags, id, part));
        }
        write(...frames);
        flush();
      });
      return {
        answer,
        cancel: (reason) => {
          if (!stream || streams.get(id) !== stream) return;
          streams.delete(id);
          write(encodeRstStream(id, ERROR_CODE.CANCEL));
          stream.reject(reason);
        },
      };
    },
    get usable() {
      return usable && !socket.destroyed;
    },
    close: () => fail(failure ?? `the connection to ${origin} is closed`),
  };
};
