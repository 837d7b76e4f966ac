// The Consul HTTP API endpoints switchyard calls, on one agent: paths and
// query parameters, the X-Consul-Token header, request bodies, and the
// answers as [response, body]. A non-2xx answer is a ConsulHttpError carrying
// the response (its message the agent's short text, else the status text),
// except a KV read's 404, which is a missing key: an undefined body.
import { ConsulHttpError, type ConsulResponse, type HttpCall, type HttpTransport } from './http-request.js';

/** Options every call accepts: the ACL token, cancellation, a timeout in ms. */
export interface CallOptions {
  token?: string;
  signal: AbortSignal;
  timeout: number;
}

/** Read options: a blocking query (index and wait, e.g. "30s"), the datacenter, the consistency mode. */
export interface QueryOptions extends CallOptions {
  index?: string;
  wait?: string;
  dc?: string;
  consistent?: boolean;
  stale?: boolean;
}

/** The response with its decoded body. */
export type Reply = [ConsulResponse, unknown];

export interface KvGetOptions extends QueryOptions {
  key: string;
  recurse?: boolean;
  /** Values left as the agent sent them (base64 text), for the caller to decode. */
  base64?: boolean;
}

export interface SessionOptions extends CallOptions {
  name?: string;
  ttl?: string;
  behavior?: 'release' | 'delete';
  lockdelay?: string;
}

export interface ConsulApi {
  kv: {
    /** One entry (its Value decoded), or with recurse every entry under the key; undefined when there is none. */
    get(options: KvGetOptions): Promise<Reply>;
    /** True when written (false when `acquire` names a session that cannot take the key). */
    set(options: CallOptions & { key: string; value: string; acquire?: string }): Promise<Reply>;
    del(options: CallOptions & { key: string }): Promise<Reply>;
  };
  health: { service(options: QueryOptions & { service: string; passing?: boolean }): Promise<Reply> };
  transaction: { create(operations: object[], options: CallOptions): Promise<Reply> };
  status: { leader(options: CallOptions): Promise<Reply> };
  catalog: { service: { list(options: QueryOptions): Promise<Reply> } };
  session: {
    create(options: SessionOptions): Promise<Reply>;
    renew(options: CallOptions & { id: string }): Promise<Reply>;
    destroy(options: CallOptions & { id: string }): Promise<Reply>;
  };
  acl: {
    /** POST /v1/internal/acl/authorize: whether the token may do each of the requests. */
    authorize(requests: object[], options: CallOptions): Promise<Reply>;
  };
}

type Query = Record<string, string>;

const queryString = (query: Query): string => {
  const pairs = Object.entries(query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  return pairs.length > 0 ? `?${pairs.join('&')}` : '';
};

/** The parameters every read and write takes from its options, after the endpoint's own. */
const withCommon = (query: Query, options: Partial<QueryOptions>): Query => {
  const q = { ...query };
  if (options.dc) q['dc'] = options.dc;
  if (options.consistent) q['consistent'] = '1';
  else if (options.stale) q['stale'] = '1';
  if (options.index !== undefined) q['index'] = options.index;
  if (options.wait !== undefined) q['wait'] = options.wait;
  return q;
};

const tokenHeader = (options: CallOptions): Record<string, string> => (options.token ? { 'x-consul-token': options.token } : {});

// The texts of the statuses Consul answers with, as RFC 9110 names them.
const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'bad request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not found',
  405: 'method not allowed',
  409: 'conflict',
  413: 'payload too large',
  429: 'too many requests',
  500: 'internal server error',
  502: 'bad gateway',
  503: 'service unavailable',
  504: 'gateway timeout',
};

/** The agent's own words when short text, else the status text: "rpc error: ...", "forbidden", "HTTP 418". */
const failureMessage = (response: ConsulResponse): string => {
  const text = typeof response.body === 'string' && response.body.length < 80 ? response.body : '';
  return text || STATUS_TEXT[response.statusCode] || `HTTP ${response.statusCode}`;
};

const isOk = (response: ConsulResponse): boolean => Math.floor(response.statusCode / 100) === 2;

const rejectFailure = (response: ConsulResponse): never => {
  throw new ConsulHttpError(failureMessage(response), { response });
};

interface Entry {
  Value?: unknown;
}

/** Entries' base64 Values as UTF-8 text. */
const decodeEntries = (entries: Entry[]): void => {
  for (const entry of entries) {
    if (typeof entry.Value === 'string') entry.Value = Buffer.from(entry.Value, 'base64').toString('utf8');
  }
};

export const createConsulHttpApi = (endpoint: URL, transport: HttpTransport): ConsulApi => {
  const call = async (
    method: HttpCall['method'],
    path: string,
    query: Query,
    options: CallOptions,
    body?: HttpCall['body'],
  ): Promise<ConsulResponse> =>
    transport.send(endpoint, { method, path: path + queryString(query), headers: tokenHeader(options), body, timeout: options.timeout, signal: options.signal });

  /** The answer's body; a non-2xx status rejects. */
  const reply = async (pending: Promise<ConsulResponse>): Promise<Reply> => {
    const response = await pending;
    if (!isOk(response)) rejectFailure(response);
    return [response, response.body];
  };

  const kvPath = (key: string): string => `/kv/${encodeURIComponent(key)}`;

  return {
    kv: {
      get: async (o) => {
        const response = await call('GET', kvPath(o.key), withCommon(o.recurse ? { recurse: 'true' } : {}, o), o);
        if (response.statusCode === 404) return [response, undefined];
        if (!isOk(response)) rejectFailure(response);
        const entries = response.body;
        if (!Array.isArray(entries) || entries.length === 0) return [response, undefined];
        if (o.base64 !== true) decodeEntries(entries as Entry[]);
        return [response, o.recurse ? entries : entries[0]];
      },
      set: (o) =>
        reply(call('PUT', kvPath(o.key), withCommon(o.acquire !== undefined ? { acquire: o.acquire } : {}, o), o, { type: 'text', text: o.value })),
      del: (o) => reply(call('DELETE', kvPath(o.key), withCommon({}, o), o)),
    },
    health: {
      service: (o) =>
        reply(call('GET', `/health/service/${encodeURIComponent(o.service)}`, withCommon(o.passing ? { passing: 'true' } : {}, o), o)),
    },
    transaction: {
      create: (operations, o) => reply(call('PUT', '/txn', withCommon({}, o), o, { type: 'json', value: operations })),
    },
    status: {
      leader: (o) => reply(call('GET', '/status/leader', withCommon({}, o), o)),
    },
    catalog: {
      service: { list: (o) => reply(call('GET', '/catalog/services', withCommon({}, o), o)) },
    },
    session: {
      create: (o) => {
        const body: Record<string, string> = {};
        if (o.lockdelay) body['LockDelay'] = o.lockdelay;
        if (o.name) body['Name'] = o.name;
        if (o.behavior) body['Behavior'] = o.behavior;
        if (o.ttl) body['TTL'] = o.ttl;
        return reply(call('PUT', '/session/create', withCommon({}, o), o, { type: 'json', value: body }));
      },
      renew: (o) => reply(call('PUT', `/session/renew/${encodeURIComponent(o.id)}`, withCommon({}, o), o)),
      destroy: async (o) => {
        const [response] = await reply(call('PUT', `/session/destroy/${encodeURIComponent(o.id)}`, withCommon({}, o), o));
        return [response, undefined];
      },
    },
    acl: {
      authorize: (requests, o) => reply(call('POST', '/internal/acl/authorize', {}, o, { type: 'json', value: requests })),
    },
  };
};
