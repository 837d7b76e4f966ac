// Unary gRPC calls over HTTP/2 (../../http2), one connection per endpoint: what a run that
// reads once needs from etcd's gRPC port, without a gRPC library. A message
// travels as gRPC frames it (a flag byte, a 4-byte length, the protobuf
// bytes); the call's outcome is the grpc-status trailer (or header, for an
// answer without a body). Each call has a deadline of its own.
import type { ClientConnection, Http2Answer } from '../../http2/connection.js';
import { connectHttp2 } from '../../http2/connect.js';
import type { TlsMaterial } from '../../http-endpoint.js';

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

const statusOf = (headers: Record<string, string>): { code: number; message: string } | undefined => {
  const status = headers['grpc-status'];
  if (status === undefined) return undefined;
  const text = headers['grpc-message'] ?? '';
  let message = text;
  try {
    message = decodeURIComponent(text);
  } catch {
    // Not percent-encoded after all: as sent.
  }
  return { code: Number(status), message };
};

/** A caller whose connections use `tls` (CA, client certificate) for https:// endpoints; `timeoutMs` bounds each call. */
export const createUnaryCaller = (timeoutMs: number, tls: TlsMaterial = {}): UnaryCaller => {
  const connections = new Map<string, ClientConnection>();
  let closed = false;

  const connectionFor = (endpoint: string): ClientConnection => {
    const open = connections.get(endpoint);
    if (open?.usable) return open;
    const connection = connectHttp2(endpoint, endpoint.startsWith('https://') ? tls : {});
    connections.set(endpoint, connection);
    return connection;
  };

  const call = async (endpoint: string, path: string, message: Buffer, metadata: Record<string, string> = {}): Promise<Buffer> => {
    if (closed) throw new GrpcCallError(endpoint, undefined, 'the client is closed');
    const url = new URL(endpoint);
    const pending = connectionFor(endpoint).request(
      [[':method', 'POST'], [':scheme', url.protocol.slice(0, -1)], [':path', path], [':authority', url.host], ['content-type', 'application/grpc'], ['te', 'trailers'], ...Object.entries(metadata)],
      frame(message),
    );
    const timer = setTimeout(() => pending.cancel(new GrpcCallError(endpoint, undefined, `no answer from ${endpoint} within ${timeoutMs} ms`)), timeoutMs);
    let answer: Http2Answer;
    try {
      answer = await pending.answer;
    } catch (err) {
      if (err instanceof GrpcCallError) throw err;
      throw new GrpcCallError(endpoint, undefined, (err as Error).message);
    } finally {
      clearTimeout(timer);
    }
    if (answer.status !== 200) throw new GrpcCallError(endpoint, undefined, `${endpoint}: HTTP ${answer.status}`);
    const status = statusOf(answer.trailers) ?? statusOf(answer.headers);
    if (!status) throw new GrpcCallError(endpoint, undefined, `${endpoint}: the answer has no gRPC status`);
    if (status.code !== 0) throw new GrpcCallError(endpoint, status.code, status.message || `gRPC status ${status.code}`);
    return unframe(endpoint, answer.body);
  };

  return {
    call,
    close: () => {
      closed = true;
      for (const connection of connections.values()) connection.close();
      connections.clear();
    },
  };
};
