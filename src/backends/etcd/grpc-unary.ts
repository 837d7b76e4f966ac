// Unary gRPC calls over node:http2, one session per endpoint: what a run that
// reads once needs from etcd's gRPC port, without a gRPC library. A message
// travels as gRPC frames it (a flag byte, a 4-byte length, the protobuf
// bytes); the call's outcome is the grpc-status trailer (or header, for an
// answer without a body). Each call has a deadline of its own.
import type { ClientHttp2Session, IncomingHttpHeaders, SecureClientSessionOptions } from 'node:http2';

/** etcd answered with a gRPC status other than OK (`code`), or the HTTP exchange itself failed (`code` undefined). */
export class GrpcCallError extends Error {
  override readonly name = 'GrpcCallError';
  constructor(
    readonly endpoint: string,
    readonly code: number | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** The gRPC status etcd gives when it cannot serve now (no leader, stopping): another member may. */
export const UNAVAILABLE = 14;

/** Worth trying the next endpoint: no answer at all, or etcd said it cannot serve. */
export const isTransientCall = (err: unknown): boolean => !(err instanceof GrpcCallError) || err.code === UNAVAILABLE || err.code === undefined;

export interface UnaryCaller {
  /** Calls `path` (e.g. "/etcdserverpb.KV/Txn") on `endpoint` with one message; resolves to the answer's message bytes. */
  call(endpoint: string, path: string, message: Buffer, metadata?: Record<string, string>): Promise<Buffer>;
  close(): void;
}

const frame = (message: Buffer): Buffer => {
  const out = Buffer.allocUnsafe(5 + message.length);
  out[0] = 0; // not compressed
  out.writeUInt32BE(message.length, 1);
  message.copy(out, 5);
  return out;
};

/** The one message of a unary answer. */
const unframe = (endpoint: string, body: Buffer): Buffer => {
  if (body.length < 5) throw new GrpcCallError(endpoint, undefined, `an answer of ${body.length} bytes has no gRPC message`);
  if (body[0] !== 0) throw new GrpcCallError(endpoint, undefined, 'the answer is compressed, which was not asked for');
  const length = body.readUInt32BE(1);
  if (body.length !== 5 + length) throw new GrpcCallError(endpoint, undefined, `the answer holds ${body.length - 5} bytes for a message of ${length}`);
  return body.subarray(5);
};

const statusOf = (headers: IncomingHttpHeaders): { code: number; message: string } | undefined => {
  const status = headers['grpc-status'];
  if (status === undefined) return undefined;
  const raw = headers['grpc-message'];
  const text = typeof raw === 'string' ? raw : '';
  let message = text;
  try {
    message = decodeURIComponent(text);
  } catch {
    // Not percent-encoded after all: as sent.
  }
  return { code: Number(status), message };
};

// Answers of ten thousand keys are a few hundred KB: windows that large save round trips of flow control.
const WINDOW_BYTES = 16 * 1024 * 1024;

/** A caller whose sessions use `tls` (CA, client certificate) for https:// endpoints; `timeoutMs` bounds each call. */
export const createUnaryCaller = (timeoutMs: number, tls: SecureClientSessionOptions = {}): UnaryCaller => {
  const http2 = import('node:http2');
  const sessions = new Map<string, ClientHttp2Session>();
  let closed = false;

  const sessionFor = (h2: typeof import('node:http2'), endpoint: string): ClientHttp2Session => {
    const open = sessions.get(endpoint);
    if (open && !open.closed && !open.destroyed) return open;
    const session = h2.connect(endpoint, { ...(endpoint.startsWith('https://') ? tls : {}), settings: { initialWindowSize: WINDOW_BYTES } });
    // Errors reach each call through its stream; the session's own would otherwise be thrown.
    session.on('error', () => undefined);
    session.on('connect', () => session.setLocalWindowSize(WINDOW_BYTES));
    sessions.set(endpoint, session);
    return session;
  };

  const call = async (endpoint: string, path: string, message: Buffer, metadata: Record<string, string> = {}): Promise<Buffer> => {
    const h2 = await http2;
    if (closed) throw new GrpcCallError(endpoint, undefined, 'the client is closed');
    const session = sessionFor(h2, endpoint);
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let status: { code: number; message: string } | undefined;
      let httpStatus = 0;
      let settled = false;
      const settle = (err: Error | undefined, value?: Buffer): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(value as Buffer);
      };
      const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...metadata });
      const timer = setTimeout(() => {
        settle(new GrpcCallError(endpoint, undefined, `no answer from ${endpoint} within ${timeoutMs} ms`));
        stream.close(h2.constants.NGHTTP2_CANCEL);
      }, timeoutMs);
      stream.on('response', (headers) => {
        httpStatus = Number(headers[':status'] ?? 0);
        status = statusOf(headers) ?? status;
      });
      stream.on('trailers', (trailers) => {
        status = statusOf(trailers) ?? status;
      });
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (err) => settle(new GrpcCallError(endpoint, undefined, `${endpoint}: ${err.message}`)));
      stream.on('close', () => {
        if (httpStatus !== 200) return settle(new GrpcCallError(endpoint, undefined, `${endpoint}: ${httpStatus ? `HTTP ${httpStatus}` : 'the connection closed without an answer'}`));
        if (!status) return settle(new GrpcCallError(endpoint, undefined, `${endpoint}: the answer has no gRPC status`));
        if (status.code !== 0) return settle(new GrpcCallError(endpoint, status.code, status.message || `gRPC status ${status.code}`));
        try {
          settle(undefined, unframe(endpoint, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
        } catch (err) {
          settle(err as Error);
        }
      });
      stream.end(frame(message));
    });
  };

  return {
    call,
    close: () => {
      closed = true;
      for (const session of sessions.values()) session.destroy();
      sessions.clear();
    },
  };
};
