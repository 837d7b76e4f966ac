// The connection to Consul's HTTP API: endpoints, token, TLS, timeouts and
// cancellation around the calls of ./http-api.ts, one set per agent.
// Failures become BackendErrors that say what was being done and, for a
// 403, which permission the token lacks.
// With several agents (--node), ../endpoint-health picks the one to ask:
// reads are hedged across agents, writes move on after a failure, and a
// blocking query's agent is checked on the side (agent-monitor.ts); when that
// agent stops answering, the query is asked again, with the same index, of
// an agent that answers.
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { BackendError, messageOf } from '../../errors.js';
import { silentLogger, type Logger } from '../../log.js';
import type { BackendOptions } from '../backend.js';
import { createEndpointHealth, type EndpointHealth } from '../endpoint-health/health.js';
import { raceEndpoints, trackAttempt, type RaceOptions } from '../endpoint-health/race.js';
import { createAgentMonitor } from './agent-monitor.js';
import { createConsulHttpApi, type CallOptions, type ConsulApi, type Reply } from './http-api.js';
import type { TlsMaterial } from '../../http-endpoint.js';
import { createHttpTransport, type ConsulHttpError, type ConsulResponse } from './http-request.js';
import { retryDownEndpoints } from '../endpoint-health/retry-down.js';

export const CONSUL_NAME = 'consul';
const DEFAULT_NODE = 'http://127.0.0.1:8500';

/** What a request was doing, for error messages: `reading key "app/live"` needs `key:read`. */
export interface Purpose {
  action: string;
  permission: string;
}

export type ConsulCall = (api: ConsulApi, options: CallOptions) => Promise<Reply>;

/** A plain read (hedged across agents), a blocking query (moved off an agent that hangs), or a write (the default: one agent at a time). */
export type SendMode = 'read' | 'blocking' | 'write';

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
  /** Each agent: answering or not, answer times. */
  readonly health: EndpointHealth;
  /** One request with the token and a timeout; cancelled by the signal or by close(). */
  send<T>(purpose: Purpose, timeoutMs: number, call: ConsulCall, signal?: AbortSignal, mode?: SendMode): Promise<Answer<T>>;
  /** The BackendError for a failed purpose, e.g. results hidden by ACLs. */
  fail(purpose: Purpose, detail: string, cause?: unknown): BackendError;
  /** Aborts every request in flight and closes idle sockets. */
  close(): void;
}

type RequestError = Error & Partial<Pick<ConsulHttpError, 'response' | 'isTimeout' | 'isAbort'>>;

/** "127.0.0.1:8500" → "http://127.0.0.1:8500" (https when client TLS is configured); no trailing slash. */
export const normalizeEndpoint = (node: string, tls: boolean): string => {
  const withScheme = /^[a-z]+:\/\//i.test(node) ? node : `${tls ? 'https' : 'http'}://${node}`;
  return withScheme.replace(/\/+$/, '');
};

const headerIndex = (res: ConsulResponse | undefined): number => {
  const raw = res?.headers['x-consul-index'];
  const n = Number(Array.isArray(raw) ? raw[0] : raw);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
};

const responseText = (body: unknown): string =>
  (Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : '').trim().slice(0, 300);

const describeFailure = (purpose: Purpose, err: RequestError): string => {
  const status = err.response?.statusCode;
  const said = responseText(err.response?.body);
  if (status === 403 || status === 401) {
    return `permission denied ${purpose.action} (the token needs ${purpose.permission} on it)${said ? `: ${said}` : ''}`;
  }
  if (status) return `${purpose.action} failed: HTTP ${status}${said ? `: ${said}` : ''}`;
  if (err.isTimeout) return `${purpose.action} timed out`;
  return `${purpose.action} failed: unreachable (${err.message})`;
};

const loadTls = (options: BackendOptions): TlsMaterial | undefined => {
  if (!options.clientCert && !options.clientKey && !options.clientCaKeys) return undefined;
  return {
    ca: options.clientCaKeys ? readFileSync(options.clientCaKeys) : undefined,
    cert: options.clientCert ? readFileSync(options.clientCert) : undefined,
    key: options.clientKey ? readFileSync(options.clientKey) : undefined,
  };
};

export const createConsulConnection = (options: BackendOptions, logger: Logger = silentLogger): ConsulConnection => {
  const tls = loadTls(options);
  const transport = createHttpTransport(tls);
  const endpoints = (options.nodes.length > 0 ? options.nodes : [DEFAULT_NODE]).map((n) => normalizeEndpoint(n, tls !== undefined));
  const clients = new Map<string, ConsulApi>();
  const inFlight = new Set<AbortController>();
  const health = createEndpointHealth(endpoints, { kind: 'consul agent', logger });
  /** Failures without an answer from the agent: another agent may answer. */
  const unanswered = new WeakSet<object>();
  let closed = false;

  const endpoint = (): string => health.order()[0] ?? DEFAULT_NODE;

  const clientFor = (url: string): ConsulApi => {
    let client = clients.get(url);
    if (!client) {
      client = createConsulHttpApi(new URL(url), transport);
      clients.set(url, client);
    }
    return client;
  };

  const fail = (purpose: Purpose, detail: string, cause?: unknown): BackendError =>
    new BackendError(CONSUL_NAME, endpoint(), detail, { cause });

  /** One request to one agent; `stop` cancels it from outside. */
  const sendTo = async <T>(url: string, purpose: Purpose, timeoutMs: number, call: ConsulCall, signal?: AbortSignal, stop?: EventEmitter): Promise<Answer<T>> => {
    if (closed || signal?.aborted) throw fail(purpose, `${purpose.action} failed: the watch or backend is closed`);
    const controller = new AbortController();
    const cancel = (): void => controller.abort();
    signal?.addEventListener('abort', cancel, { once: true });
    stop?.once('stop', cancel);
    inFlight.add(controller);
    try {
      const [res, body] = await call(clientFor(url), { token: options.authToken, signal: controller.signal, timeout: timeoutMs });
      const filtered = String(res.headers['x-consul-results-filtered-by-acls'] ?? '') === 'true';
      return { body: body as T | undefined, index: headerIndex(res), filteredByAcl: filtered };
    } catch (err) {
      const e = err as RequestError;
      const error = new BackendError(CONSUL_NAME, url, describeFailure(purpose, e), { cause: err });
      // Without an answer the agent may be down: another one may answer.
      if (!e.response && !e.isAbort) unanswered.add(error);
      throw error;
    } finally {
      signal?.removeEventListener('abort', cancel);
      stop?.off('stop', cancel);
      inFlight.delete(controller);
    }
  };

  const race = (hedge: boolean): RaceOptions => ({
    health,
    isTransient: (err) => typeof err === 'object' && err !== null && unanswered.has(err),
    ignore: () => closed,
    describe: messageOf,
    hedge,
  });

  /** The raft leader, asked of one agent: a quick question any agent answers. */
  const askLeader = async (url: string, timeoutMs: number): Promise<void> => {
    try {
      await sendTo(url, { action: 'asking for the raft leader', permission: 'none' }, timeoutMs, (api, o) => api.status.leader(o));
    } catch (err) {
      // An error the agent answered with still shows it answers.
      if (unanswered.has(err as object)) throw err;
    }
  };
  const monitor = createAgentMonitor({ health, probe: askLeader });
  const stopRetries = retryDownEndpoints({ health, probe: askLeader });

  /**
   * A blocking query on the preferred agent while the monitor checks that
   * agent; asked again of another agent when that one stops answering.
   */
  const sendBlocking = async <T>(purpose: Purpose, timeoutMs: number, call: ConsulCall, signal?: AbortSignal): Promise<Answer<T>> => {
    for (let attempt = 0; ; attempt++) {
      const url = endpoint();
      const stop = new EventEmitter();
      let moved = false;
      const unsubscribe = health.onDown((down) => {
        if (down !== url) return;
        moved = true;
        stop.emit('stop');
      });
      const release = monitor.watch(url);
      try {
        const answer = await sendTo<T>(url, purpose, timeoutMs, call, signal, stop);
        health.succeeded(url);
        return answer;
      } catch (err) {
        const again = !closed && !signal?.aborted && attempt < endpoints.length;
        if (moved && again) continue;
        if (unanswered.has(err as object)) {
          health.failed(url, messageOf(err));
          if (again && health.isUp(endpoint())) continue;
        }
        throw err;
      } finally {
        unsubscribe();
        release();
      }
    }
  };

  const send = <T>(purpose: Purpose, timeoutMs: number, call: ConsulCall, signal?: AbortSignal, mode: SendMode = 'write'): Promise<Answer<T>> => {
    if (endpoints.length === 1 && mode === 'blocking') return sendTo<T>(endpoint(), purpose, timeoutMs, call, signal);
    if (endpoints.length === 1 || mode === 'write') return trackAttempt(race(false), endpoint(), false, (url) => sendTo<T>(url, purpose, timeoutMs, call, signal));
    if (mode === 'blocking') return sendBlocking<T>(purpose, timeoutMs, call, signal);
    return raceEndpoints(race(true), (url) => sendTo<T>(url, purpose, timeoutMs, call, signal));
  };

  return {
    endpoints,
    endpoint,
    health,
    send,
    fail,
    close: () => {
      closed = true;
      monitor.close();
      stopRetries();
      for (const controller of inFlight) controller.abort();
      inFlight.clear();
      transport.close();
    },
  };
};
