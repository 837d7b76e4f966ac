// Builds the etcd3 client from the command-line options: endpoints, auth,
// TLS files, per-call deadlines and gRPC keepalive. Retries and circuit
// breaking are left to the callers, which know when to give up.
import { readFileSync } from 'node:fs';
import { Etcd3, isRecoverableError, type IOptions } from 'etcd3';
import { ConfigError } from '../../errors.js';
import { addSecret } from '../../log.js';
import type { BackendOptions } from '../backend.js';

/** Settings of the etcd backend, with their defaults. */
export interface EtcdSettings {
  /** Deadline of one unary request, and of authentication (ms). Default 5000. */
  requestTimeoutMs: number;
  /** gRPC keepalive ping interval on a connection with an open watch (ms). Default 6000. */
  keepaliveTimeMs: number;
  /** A ping unanswered this long marks the connection dead (ms). Default 4000. */
  keepaliveTimeoutMs: number;
}

/** How long a failed endpoint is skipped when there are others to try (ms). */
const HOST_COOLDOWN_MS = 5000;

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

/** Refused by createHostCooldown: the host failed moments ago. */
export class HostCoolingDown extends Error {
  override readonly name = 'HostCoolingDown';
  constructor(host: string, cause: unknown) {
    super(`${host} failed moments ago: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * With several endpoints, a host whose call just failed (unreachable, timed
 * out) is skipped for cooldownMs, so calls go to the others: the library
 * moves on to the next host only when a host's policy refuses up front.
 */
export const createHostCooldown = (host: string, cooldownMs: number, now: () => number = Date.now): Policy => {
  let failedUntil = 0;
  let lastFailure: unknown;
  return {
    execute: async <T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T> | T): Promise<T> => {
      if (now() < failedUntil) throw new HostCoolingDown(host, lastFailure);
      try {
        return await fn({ signal: new AbortController().signal });
      } catch (err) {
        if (err instanceof Error && isRecoverableError(err)) {
          failedUntil = now() + cooldownMs;
          lastFailure = err;
        }
        throw err;
      }
    },
  } as unknown as Policy;
};

/** Runs a call up to `attempts` times while it fails with a transport error, so a dead endpoint among several costs one try. */
export const withFailover = async <T>(attempts: number, run: () => Promise<T>): Promise<T> => {
  for (let i = 1; ; i++) {
    try {
      return await run();
    } catch (err) {
      const transient = err instanceof HostCoolingDown || (err instanceof Error && isRecoverableError(err));
      if (i >= attempts || !transient) throw err;
    }
  }
};

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
  const hosts = etcdNodes(options);
  if (options.password !== undefined && !options.username) {
    throw new ConfigError(undefined, 'a password was given without a username', { key: 'username' });
  }
  return new Etcd3({
    hosts,
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
    faultHandling: {
      host: (host) => (hosts.length > 1 ? createHostCooldown(host, HOST_COOLDOWN_MS) : passThrough),
      global: passThrough,
    },
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
