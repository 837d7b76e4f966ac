// etcd's v3 JSON gateway (POST /v3/kv/txn, /v3/auth/authenticate) over
// node:http(s), for runs that read once and exit: loading the gRPC client
// costs more than the whole read. Same guarantees as the etcd3 client: a
// deadline per request, username/password (a token in the Authorization
// header, fetched again once when etcd rejects it), TLS with a client
// certificate and CA, and reads hedged across the endpoints as the watch
// daemon's are (../endpoint-health). Keys and values travel base64-encoded.
import { messageOf } from '../../errors.js';
import { isUtf8 } from 'node:buffer';
import type { Agent as HttpAgent, ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { silentLogger, type Logger } from '../../log.js';
import type { BackendOptions } from '../backend.js';
import { createEndpointHealth } from '../endpoint-health/health.js';
import { raceEndpoints } from '../endpoint-health/race.js';
import { isAuthError } from './errors.js';
import { etcdCredentials, etcdNodes, etcdTlsFiles, type EtcdSettings } from './options.js';
import type { RangeTxn, StoredKeyValue } from './snapshot.js';

/** etcd answered, with an error (gRPC status `code`). */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    readonly endpoint: string,
    readonly status: number,
    readonly code: number | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** The gRPC status etcd gives when it cannot serve now (no leader, stopping): another member may. */
const UNAVAILABLE = 14;

/** The gateway answered that etcd behind it is unavailable (no leader, or it cannot dial etcd's gRPC port). */
export const isGatewayUnavailable = (err: unknown): boolean => err instanceof GatewayError && (err.code === UNAVAILABLE || err.status === 503);

/** Worth trying the next endpoint: no answer at all, or etcd said it cannot serve. */
const isTransient = (err: unknown): boolean => !(err instanceof GatewayError) || isGatewayUnavailable(err);

export interface GatewayClient {
  txn: RangeTxn;
  close(): void;
}

interface JsonKeyValue {
  key?: string;
  value?: string;
  mod_revision?: string;
}
interface JsonTxnResponse {
  header?: { revision?: string };
  responses?: Array<{ response_range?: { kvs?: JsonKeyValue[] } }>;
}

/**
 * Decodes base64 keys and values through one scratch buffer, so ten thousand
 * keys cost no Buffer apiece. A value's bytes are valid UTF-8 when its text
 * has no U+FFFD (the decoder's replacement for bad bytes), or when a U+FFFD
 * it has was written as such.
 */
export const base64Decoder = (): ((text: string | undefined) => { text: string; validUtf8: boolean }) => {
  let scratch = Buffer.allocUnsafe(64 * 1024);
  return (encoded = '') => {
    if (encoded.length > scratch.length) scratch = Buffer.allocUnsafe(encoded.length);
    const length = scratch.write(encoded, 0, scratch.length, 'base64');
    const text = scratch.toString('utf8', 0, length);
    return { text, validUtf8: !text.includes('\uFFFD') || isUtf8(scratch.subarray(0, length)) };
  };
};

const readBody = (res: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });

const errorOf = (endpoint: string, status: number, body: string): GatewayError => {
  try {
    const parsed = JSON.parse(body) as { error?: string; message?: string; code?: number };
    return new GatewayError(endpoint, status, parsed.code, parsed.error ?? parsed.message ?? `HTTP ${status}`);
  } catch {
    return new GatewayError(endpoint, status, undefined, `HTTP ${status}: ${body.slice(0, 200)}`);
  }
};

type Send = (options: RequestOptions, onResponse: (res: IncomingMessage) => void) => ClientRequest;

/** The http or https request function and one keep-alive agent, so a run's requests share a connection. */
const transport = async (secure: boolean, options: BackendOptions): Promise<{ send: Send; agent: HttpAgent }> => {
  if (!secure) {
    const http = await import('node:http');
    const agent = new http.Agent({ keepAlive: true });
    return { send: (o, cb) => http.request({ ...o, agent }, cb), agent };
  }
  const https = await import('node:https');
  const files = etcdTlsFiles(options);
  // Without a CA file, trust the system's roots.
  const agent = new https.Agent({ keepAlive: true, ca: files?.ca, cert: files?.cert, key: files?.key });
  return { send: (o, cb) => https.request({ ...o, agent }, cb), agent };
};

/** A client for one run; validates the options (ConfigError) and registers the password as a secret. */
export const createGatewayClient = (options: BackendOptions, settings: EtcdSettings, logger: Logger = silentLogger): GatewayClient => {
  const credentials = etcdCredentials(options);
  const endpoints = etcdNodes(options);
  etcdTlsFiles(options); // reads and checks the files now, as the etcd3 client does
  const connection = transport(endpoints[0]?.startsWith('https://') === true, options);
  const tokens = new Map<string, Promise<string>>();
  // The first endpoint given first, as users list them.
  let closed = false;
  const health = createEndpointHealth(endpoints, { kind: 'etcd member', logger, first: 0 });

  const post = async (endpoint: string, path: string, body: unknown, token?: string): Promise<unknown> => {
    const { send } = await connection;
    const payload = JSON.stringify(body);
    const url = new URL(path, endpoint);
    return new Promise((resolve, reject) => {
      const req = send(
        {
          method: 'POST',
          hostname: url.hostname,
          port: url.port,
          path: url.pathname,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...(token ? { authorization: token } : {}) },
        },
        (res) => {
          readBody(res).then((text) => {
            const status = res.statusCode ?? 0;
            if (status !== 200) return reject(errorOf(endpoint, status, text));
            try {
              resolve(JSON.parse(text));
            } catch (err) {
              reject(new GatewayError(endpoint, status, undefined, `unreadable answer: ${(err as Error).message}`));
            }
          }, reject);
        },
      );
      req.setTimeout(settings.requestTimeoutMs, () => req.destroy(new Error(`no answer from ${endpoint} within ${settings.requestTimeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  };

  const tokenFor = (endpoint: string): Promise<string> => {
    let token = tokens.get(endpoint);
    if (!token) {
      token = post(endpoint, '/v3/auth/authenticate', { name: credentials?.username, password: credentials?.password }).then(
        (answer) => (answer as { token?: string }).token ?? '',
      );
      tokens.set(endpoint, token);
      token.catch(() => tokens.delete(endpoint));
    }
    return token;
  };

  /** One call on one endpoint; a rejected token is replaced once. */
  const callOn = async (endpoint: string, path: string, body: unknown): Promise<unknown> => {
    if (!credentials) return post(endpoint, path, body);
    const stale = tokenFor(endpoint);
    try {
      return await post(endpoint, path, body, await stale);
    } catch (err) {
      if (!(err instanceof GatewayError) || !isAuthError(err)) throw err;
      // Expired (simple tokens do when idle) or wiped by a restart.
      if (tokens.get(endpoint) === stale) tokens.delete(endpoint);
      return post(endpoint, path, body, await tokenFor(endpoint));
    }
  };

  /** The call, hedged: the next endpoint is asked too when one is slow or fails to answer. */
  const call = (path: string, body: unknown): Promise<unknown> =>
    // After close, a request cut short says nothing about its member.
    raceEndpoints({ health, isTransient, ignore: () => closed, describe: messageOf, hedge: true }, (endpoint) =>
      callOn(endpoint, path, body),
    );

  return {
    txn: async (ranges) => {
      const body = {
        success: ranges.map((r) => ({
          request_range: { key: r.key.toString('base64'), range_end: r.range_end.toString('base64'), ...(r.revision ? { revision: r.revision } : {}) },
        })),
      };
      const answer = (await call('/v3/kv/txn', body)) as JsonTxnResponse;
      const revision = answer.header?.revision;
      if (revision === undefined) throw new Error('the transaction answer has no revision');
      const decode = base64Decoder();
      const kvsPerRange: StoredKeyValue[][] = ranges.map((_, i) =>
        (answer.responses?.[i]?.response_range?.kvs ?? []).map((kv) => {
          const value = decode(kv.value);
          return { key: decode(kv.key).text, value: value.text, validUtf8: value.validUtf8, mod_revision: kv.mod_revision ?? '0' };
        }),
      );
      return { revision, ranges: kvsPerRange };
    },
    close: () => {
      closed = true;
      void connection.then(({ agent }) => agent.destroy());
    },
  };
};
