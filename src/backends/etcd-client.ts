// Builds the etcd3 client from the command-line options: endpoints, auth,
// TLS files, per-call deadlines and gRPC keepalive. Retries and circuit
// breaking are left to the callers, which know when to give up.
import { readFileSync } from 'node:fs';
import { Etcd3, type IOptions } from 'etcd3';
import { ConfigError } from '../errors.js';
import { addSecret } from '../log.js';
import type { BackendOptions } from './backend.js';

/** Settings of the etcd backend, with their defaults. */
export interface EtcdSettings {
  /** Deadline of one unary request, and of authentication (ms). Default 5000. */
  requestTimeoutMs: number;
  /** gRPC keepalive ping interval on a connection with an open watch (ms). Default 6000. */
  keepaliveTimeMs: number;
  /** A ping unanswered this long marks the connection dead (ms). Default 4000. */
  keepaliveTimeoutMs: number;
}

export const DEFAULT_ETCD_NODES = ['http://127.0.0.1:2379'];

export const etcdSettings = (options: BackendOptions): EtcdSettings => ({
  requestTimeoutMs: options.requestTimeoutMs ?? 5000,
  // etcd refuses pings more often than every 5 s (--grpc-keepalive-min-time).
  keepaliveTimeMs: 6000,
  keepaliveTimeoutMs: 4000,
});

type Policy = NonNullable<NonNullable<IOptions['faultHandling']>['global']>;

// Runs each call once: the library's default retries and breaker would
// multiply the deadline and hide an outage behind "breaker is open".
const passThrough = {
  execute: async <T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T> | T): Promise<T> =>
    fn({ signal: new AbortController().signal }),
} as unknown as Policy;

const readPem = (file: string, what: string): Buffer => {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConfigError(file, `cannot read the ${what}`, { cause: err });
  }
};

const tlsCredentials = (options: BackendOptions): IOptions['credentials'] => {
  if (!options.clientCaKeys && !options.clientCert && !options.clientKey) return undefined;
  if (Boolean(options.clientCert) !== Boolean(options.clientKey)) {
    throw new ConfigError(undefined, 'client-cert and client-key must be given together', { key: 'client-cert' });
  }
  return {
    // Without a CA file, trust the system's roots.
    rootCertificate: options.clientCaKeys ? readPem(options.clientCaKeys, 'CA certificate (client-ca-keys)') : (undefined as unknown as Buffer),
    certChain: options.clientCert ? readPem(options.clientCert, 'client certificate') : undefined,
    privateKey: options.clientKey ? readPem(options.clientKey, 'client key') : undefined,
  };
};

const checkNodes = (nodes: readonly string[]): void => {
  for (const node of nodes) {
    if (!/^https?:\/\/[^/]+\/?$/.test(node)) {
      throw new ConfigError(undefined, `expected an etcd endpoint like http://127.0.0.1:2379, got "${node}"`, { key: 'node' });
    }
  }
  const secure = nodes.filter((n) => n.startsWith('https://')).length;
  if (secure > 0 && secure < nodes.length) {
    throw new ConfigError(undefined, 'etcd endpoints must be all http:// or all https://', { key: 'node' });
  }
};

export const etcdNodes = (options: BackendOptions): string[] => {
  const nodes = options.nodes.length > 0 ? options.nodes : DEFAULT_ETCD_NODES;
  checkNodes(nodes);
  return nodes.map((n) => n.replace(/\/$/, ''));
};

/** A new client; validates the options (ConfigError) and registers the password as a secret. */
export const createEtcdClient = (options: BackendOptions, settings: EtcdSettings): Etcd3 => {
  const deadline = (): { deadline: Date } => ({ deadline: new Date(Date.now() + settings.requestTimeoutMs) });
  addSecret(options.password);
  if (options.password !== undefined && !options.username) {
    throw new ConfigError(undefined, 'a password was given without a username', { key: 'username' });
  }
  return new Etcd3({
    hosts: etcdNodes(options),
    credentials: tlsCredentials(options),
    auth: options.username ? { username: options.username, password: options.password ?? '', callOptions: deadline } : undefined,
    // Streams have no deadline (a watch lives for days); unary calls do.
    defaultCallOptions: (context) => (context.isStream ? {} : deadline()),
    grpcOptions: {
      'grpc.keepalive_time_ms': settings.keepaliveTimeMs,
      'grpc.keepalive_timeout_ms': settings.keepaliveTimeoutMs,
      'grpc.keepalive_permit_without_calls': 0,
      'grpc.initial_reconnect_backoff_ms': 500,
      'grpc.max_reconnect_backoff_ms': 5000,
    },
    faultHandling: { host: () => passThrough, global: passThrough },
  });
};

/** The shared client, replaceable when its auth token has gone stale. */
export interface EtcdClientRef {
  current(): Etcd3;
  /** Replaces the client if `stale` is still the current one; returns the current client. */
  renew(stale: Etcd3): Etcd3;
  close(): void;
}

export const createEtcdClientRef = (make: () => Etcd3): EtcdClientRef => {
  let client = make();
  let closed = false;
  return {
    current: () => client,
    renew: (stale) => {
      if (closed || stale !== client) return client;
      client = make();
      stale.close();
      return client;
    },
    close: () => {
      closed = true;
      client.close();
    },
  };
};
