// The connection to Consul's HTTP API: endpoints, token, TLS, timeouts and
// cancellation around the `consul` package, which is imported only here and
// only when the first request is made. Failures become BackendErrors that say
// what was being done and, for a 403, which permission the token lacks.
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { BackendError } from '../../errors.js';
import type { BackendOptions } from '../backend.js';

export const CONSUL_NAME = 'consul';
const DEFAULT_NODE = 'http://127.0.0.1:8500';

/** What a request was doing, for error messages: `reading key "app/live"` needs `key:read`. */
export interface Purpose {
  action: string;
  permission: string;
}

/** Options every call of the `consul` package accepts (papi's ctx and timeout included). */
export interface CallOptions {
  token?: string;
  ctx: EventEmitter;
  timeout: number;
}

/** The few methods switchyard calls; with ctx.includeResponse they resolve to [response, body]. */
export interface ConsulApi {
  kv: {
    get(options: object): Promise<unknown>;
    set(options: object): Promise<unknown>;
    del(options: object): Promise<unknown>;
  };
  health: { service(options: object): Promise<unknown> };
  transaction: { create(operations: object[], options: object): Promise<unknown> };
  catalog: { service: { list(options: object): Promise<unknown> } };
  session: {
    create(options: object): Promise<unknown>;
    renew(options: object): Promise<unknown>;
    destroy(options: object): Promise<unknown>;
  };
  /** papi's raw POST, for endpoints the package does not wrap. */
  _post(options: object, ...middleware: unknown[]): Promise<unknown>;
  destroy(): void;
}

export type ConsulCall = (api: ConsulApi, options: CallOptions) => Promise<unknown>;

export interface Answer<T> {
  body: T | undefined;
  /** X-Consul-Index, 0 when absent. */
  index: number;
  /** X-Consul-Results-Filtered-By-ACLs: the token could not see some of the results. */
  filteredByAcl: boolean;
}

export interface ConsulConnection {
  readonly endpoints: readonly string[];
  /** The endpoint requests currently go to. */
  endpoint(): string;
  /** One request with the token and a timeout; cancelled by the signal or by close(). */
  send<T>(purpose: Purpose, timeoutMs: number, call: ConsulCall, signal?: AbortSignal): Promise<Answer<T>>;
  /** The BackendError for a failed purpose, e.g. results hidden by ACLs. */
  fail(purpose: Purpose, detail: string, cause?: unknown): BackendError;
  /** Aborts every request in flight and closes idle sockets. */
  close(): void;
}

interface PapiError extends Error {
  isAbort?: boolean;
  isTimeout?: boolean;
  response?: IncomingMessage & { body?: unknown };
  statusCode?: number;
}

/** "127.0.0.1:8500" → "http://127.0.0.1:8500" (https when client TLS is configured); no trailing slash. */
export const normalizeEndpoint = (node: string, tls: boolean): string => {
  const withScheme = /^[a-z]+:\/\//i.test(node) ? node : `${tls ? 'https' : 'http'}://${node}`;
  return withScheme.replace(/\/+$/, '');
};

const headerIndex = (res: IncomingMessage | undefined): number => {
  const raw = res?.headers['x-consul-index'];
  const n = Number(Array.isArray(raw) ? raw[0] : raw);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
};

const responseText = (body: unknown): string =>
  (Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : '').trim().slice(0, 300);

const describeFailure = (purpose: Purpose, err: PapiError): string => {
  const status = err.response?.statusCode;
  const said = responseText(err.response?.body);
  if (status === 403 || status === 401) {
    return `permission denied ${purpose.action} (the token needs ${purpose.permission} on it)${said ? `: ${said}` : ''}`;
  }
  if (status) return `${purpose.action} failed: HTTP ${status}${said ? `: ${said}` : ''}`;
  if (err.isTimeout) return `${purpose.action} timed out`;
  return `${purpose.action} failed: unreachable (${err.message})`;
};

const loadTls = (options: BackendOptions): HttpsAgent | undefined => {
  if (!options.clientCert && !options.clientKey && !options.clientCaKeys) return undefined;
  return new HttpsAgent({
    keepAlive: true,
    ca: options.clientCaKeys ? readFileSync(options.clientCaKeys) : undefined,
    cert: options.clientCert ? readFileSync(options.clientCert) : undefined,
    key: options.clientKey ? readFileSync(options.clientKey) : undefined,
  });
};

type ConsulConstructor = typeof import('consul');

// The package is CommonJS: under ESM its class arrives as the default export.
const loadConsul = async (): Promise<ConsulConstructor> => {
  const mod: unknown = await import('consul');
  return ((mod as { default?: ConsulConstructor }).default ?? mod) as ConsulConstructor;
};

export const createConsulConnection = (options: BackendOptions): ConsulConnection => {
  const tlsAgent = loadTls(options);
  const endpoints = (options.nodes.length > 0 ? options.nodes : [DEFAULT_NODE]).map((n) => normalizeEndpoint(n, tlsAgent !== undefined));
  const clients = new Map<string, Promise<ConsulApi>>();
  const inFlight = new Set<EventEmitter>();
  let current = 0;
  let closed = false;

  const endpoint = (): string => endpoints[current % endpoints.length] ?? DEFAULT_NODE;

  const clientFor = (url: string): Promise<ConsulApi> => {
    let client = clients.get(url);
    if (!client) {
      client = loadConsul().then((Consul) => {
        const u = new URL(url);
        const secure = u.protocol === 'https:';
        return new Consul({
          host: u.hostname,
          port: Number(u.port || (secure ? 443 : 80)),
          secure,
          ...(secure && tlsAgent ? { agent: tlsAgent } : {}),
        }) as unknown as ConsulApi;
      });
      clients.set(url, client);
    }
    return client;
  };

  const fail = (purpose: Purpose, detail: string, cause?: unknown): BackendError =>
    new BackendError(CONSUL_NAME, endpoint(), detail, { cause });

  const send = async <T>(purpose: Purpose, timeoutMs: number, call: ConsulCall, signal?: AbortSignal): Promise<Answer<T>> => {
    const url = endpoint();
    if (closed || signal?.aborted) throw fail(purpose, `${purpose.action} failed: the watch or backend is closed`);
    const ctx = Object.assign(new EventEmitter(), { includeResponse: true });
    const cancel = (): boolean => ctx.emit('cancel');
    signal?.addEventListener('abort', cancel, { once: true });
    inFlight.add(ctx);
    try {
      const api = await clientFor(url);
      const result = (await call(api, { token: options.authToken, ctx, timeout: timeoutMs })) as [IncomingMessage, T?];
      const [res, body] = result;
      const filtered = String(res.headers['x-consul-results-filtered-by-acls'] ?? '') === 'true';
      return { body, index: headerIndex(res), filteredByAcl: filtered };
    } catch (err) {
      const e = err as PapiError;
      // Without an answer the node may be down: the next request tries the next node.
      if (!e.response && !e.isAbort && endpoints.length > 1 && endpoint() === url) current += 1;
      throw new BackendError(CONSUL_NAME, url, describeFailure(purpose, e), { cause: err });
    } finally {
      signal?.removeEventListener('abort', cancel);
      inFlight.delete(ctx);
    }
  };

  return {
    endpoints,
    endpoint,
    send,
    fail,
    close: () => {
      closed = true;
      for (const ctx of inFlight) ctx.emit('cancel');
      inFlight.clear();
      for (const client of clients.values()) void client.then((c) => c.destroy()).catch(() => undefined);
      tlsAgent?.destroy();
    },
  };
};
