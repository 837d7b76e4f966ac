// One request to a Consul agent over switchyard's own HTTP/1.1 client
// (src/http1: keep-alive connections on node:net, node:tls loaded at the
// first https:// request, so a run without TLS never loads TLS, nor
// node:http). The answer's body is decoded by its content type (JSON, text,
// else bytes); a failure without an answer says whether it timed out or was
// aborted, and keeps the socket's error (ECONNREFUSED…) as its cause.
import type { TlsMaterial } from '../../http-endpoint.js';
import { createHttp1Client } from '../../http1/client.js';
import { Http1Error } from '../../http1/error.js';
import type { HeaderRecord } from '../../http1/headers.js';

export interface ConsulResponse {
  statusCode: number;
  /** Lower-cased names; a repeated field's values joined as node:http joins them. */
  headers: HeaderRecord;
  /** Parsed JSON, text, or the bytes; undefined when the answer was empty. */
  body?: unknown;
}

/** A failed request: `response` is set when the agent answered (a non-2xx status, an undecodable body). */
export class ConsulHttpError extends Error {
  readonly response?: ConsulResponse;
  readonly isTimeout: boolean;
  readonly isAbort: boolean;

  constructor(message: string, how: { response?: ConsulResponse; isTimeout?: boolean; isAbort?: boolean; cause?: unknown } = {}) {
    super(message, how.cause === undefined ? undefined : { cause: how.cause });
    this.name = 'ConsulHttpError';
    this.response = how.response;
    this.isTimeout = how.isTimeout ?? false;
    this.isAbort = how.isAbort ?? false;
  }
}

export interface HttpCall {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Below /v1 (an endpoint's own path is not used), query string included: "/kv/app%2Flive?recurse=true". */
  path: string;
  headers: Record<string, string>;
  body?: { type: 'text'; text: string } | { type: 'json'; value: unknown };
  /** Milliseconds for the whole request; 0 for none. */
  timeout: number;
  signal: AbortSignal;
}

export interface HttpTransport {
  send(endpoint: URL, call: HttpCall): Promise<ConsulResponse>;
  /** Closes every keep-alive connection; requests in flight fail as aborted. */
  close(): void;
}

const MIME = { text: 'text/plain; charset=utf-8', json: 'application/json; charset=utf-8' } as const;

const encodeBody = (body: HttpCall['body']): Buffer | undefined =>
  body === undefined ? undefined : Buffer.from(body.type === 'text' ? body.text : JSON.stringify(body.value), 'utf8');

const decodeBody = (headers: HeaderRecord, raw: Buffer): unknown => {
  if (raw.length === 0) return undefined;
  const mime = (headers['content-type'] ?? '').split(';')[0]!.trim();
  if (mime === 'application/json' || mime === 'text/json') return JSON.parse(raw.toString('utf8')) as unknown;
  if (mime === 'text/plain' || mime === 'text/html') return raw.toString('utf8');
  return raw;
};

/** A failure of the client as Consul's callers read it: a socket's error keeps its own words ("connect ECONNREFUSED 127.0.0.1:8500"). */
const failureOf = (err: unknown): ConsulHttpError => {
  if (err instanceof ConsulHttpError) return err;
  if (err instanceof Http1Error && err.failure === 'closed') return new ConsulHttpError('request aborted', { isAbort: true, cause: err });
  const cause = err instanceof Http1Error && err.failure === 'network' && err.cause instanceof Error ? err.cause : err;
  return new ConsulHttpError((cause as Error).message, { cause });
};

export const createHttpTransport = (tls: TlsMaterial | undefined): HttpTransport => {
  const client = createHttp1Client(tls);

  const send = async (endpoint: URL, call: HttpCall): Promise<ConsulResponse> => {
    if (call.signal.aborted) throw new ConsulHttpError('request aborted', { isAbort: true });
    const headers: Record<string, string> = { ...call.headers };
    if (call.body) headers['content-type'] = MIME[call.body.type];
    const pending = client.request(endpoint, { method: call.method, path: `/v1${call.path}`, headers, body: encodeBody(call.body) });
    const onAbort = (): void => pending.cancel(new ConsulHttpError('request aborted', { isAbort: true }));
    call.signal.addEventListener('abort', onAbort, { once: true });
    const timer =
      call.timeout > 0 ? setTimeout(() => pending.cancel(new ConsulHttpError(`request timed out (${call.timeout}ms)`, { isTimeout: true })), call.timeout) : undefined;
    try {
      const answer = await pending.answer;
      const response: ConsulResponse = { statusCode: answer.status, headers: answer.headers };
      try {
        response.body = decodeBody(answer.headers, answer.body);
      } catch (err) {
        response.body = answer.body;
        throw new ConsulHttpError(`decoding the answer failed: ${(err as Error).message}`, { response, cause: err });
      }
      return response;
    } catch (err) {
      throw failureOf(err);
    } finally {
      clearTimeout(timer);
      call.signal.removeEventListener('abort', onAbort);
    }
  };

  return { send, close: () => client.close() };
};
