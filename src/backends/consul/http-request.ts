// One request to a Consul agent: node:http for http:// agents, node:https
// (loaded at the first https:// request, so a run without TLS never loads
// TLS) for https:// ones. Keep-alive agents, closed by close(). The answer's
// body is decoded by its content type (JSON, text, else bytes); a failure
// without an answer says whether it timed out or was aborted.
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage, type RequestOptions } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { TlsMaterial } from '../../http2/connect.js';

/** The client certificate, its key and the CA, read from the files given. */
export interface ConsulResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
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
  /** Closes the idle keep-alive sockets. */
  close(): void;
}

const MIME = { text: 'text/plain; charset=utf-8', json: 'application/json; charset=utf-8' } as const;

const encodeBody = (body: HttpCall['body']): Buffer | undefined =>
  body === undefined ? undefined : Buffer.from(body.type === 'text' ? body.text : JSON.stringify(body.value), 'utf8');

const decodeBody = (headers: IncomingHttpHeaders, raw: Buffer): unknown => {
  if (raw.length === 0) return undefined;
  const mime = (headers['content-type'] ?? '').split(';')[0]!.trim();
  if (mime === 'application/json' || mime === 'text/json') return JSON.parse(raw.toString('utf8')) as unknown;
  if (mime === 'text/plain' || mime === 'text/html') return raw.toString('utf8');
  return raw;
};

type HttpsModule = typeof import('node:https');

export const createHttpTransport = (tls: TlsMaterial | undefined): HttpTransport => {
  const httpAgent = new HttpAgent({ keepAlive: true });
  let https: { module: HttpsModule; agent: HttpsAgent } | undefined;

  const httpsFor = (): { module: HttpsModule; agent: HttpsAgent } => {
    if (!https) {
      const module = process.getBuiltinModule('node:https');
      https = { module, agent: new module.Agent({ keepAlive: true, ...tls }) };
    }
    return https;
  };

  const start = (endpoint: URL, options: RequestOptions, onResponse: (res: IncomingMessage) => void): ClientRequest => {
    if (endpoint.protocol !== 'https:') return httpRequest({ ...options, agent: httpAgent }, onResponse);
    const { module, agent } = httpsFor();
    return module.request({ ...options, agent }, onResponse);
  };

  const send = (endpoint: URL, call: HttpCall): Promise<ConsulResponse> =>
    new Promise((resolve, reject) => {
      if (call.signal.aborted) {
        reject(new ConsulHttpError('request aborted', { isAbort: true }));
        return;
      }
      const payload = encodeBody(call.body);
      const headers: Record<string, string | number> = { 'user-agent': 'switchyard', ...call.headers };
      if (call.body) headers['content-type'] = MIME[call.body.type];
      if (payload || call.method !== 'GET') headers['content-length'] = payload?.length ?? 0;
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        call.signal.removeEventListener('abort', onAbort);
        return true;
      };
      const fail = (err: ConsulHttpError): void => {
        if (finish()) reject(err);
      };
      const req = start(
        endpoint,
        { method: call.method, hostname: endpoint.hostname, port: endpoint.port || undefined, path: `/v1${call.path}`, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          // An answer cut off in the middle ("aborted").
          res.on('error', (err) => fail(new ConsulHttpError(err.message, { cause: err })));
          res.on('end', () => {
            const raw = Buffer.concat(chunks);
            const response: ConsulResponse = { statusCode: res.statusCode ?? 0, headers: res.headers };
            try {
              response.body = decodeBody(res.headers, raw);
            } catch (err) {
              response.body = raw;
              fail(new ConsulHttpError(`decoding the answer failed: ${(err as Error).message}`, { response, cause: err }));
              return;
            }
            if (finish()) resolve(response);
          });
        },
      );
      function onAbort(): void {
        fail(new ConsulHttpError('request aborted', { isAbort: true }));
        req.destroy();
      }
      call.signal.addEventListener('abort', onAbort, { once: true });
      if (call.timeout > 0) {
        timer = setTimeout(() => {
          fail(new ConsulHttpError(`request timed out (${call.timeout}ms)`, { isTimeout: true }));
          req.destroy();
        }, call.timeout);
      }
      req.on('error', (err) => fail(new ConsulHttpError(err.message, { cause: err })));
      req.end(payload);
    });

  return {
    send,
    close: () => {
      httpAgent.destroy();
      https?.agent.destroy();
    },
  };
};
