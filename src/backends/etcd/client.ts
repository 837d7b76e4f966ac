// Builds the etcd3 client from the command-line options: endpoints, auth,
// TLS files, per-call deadlines and gRPC keepalive. Retries, failover and
// circuit breaking are left to the callers, which know when to give up.
import { Etcd3, isRecoverableError, type IOptions } from 'etcd3';
import type { BackendOptions } from '../backend.js';
import { etcdCredentials, etcdNodes, etcdTlsFiles, type EtcdSettings } from './options.js';

export { DEFAULT_ETCD_NODES, etcdNodes, etcdSettings, type EtcdSettings } from './options.js';

type Policy = NonNullable<NonNullable<IOptions['faultHandling']>['global']>;

// Runs each call once: the library's default retries and breaker would
// multiply the deadline and hide an outage behind "breaker is open". Which
// member a call goes to, and when to ask another, is members.ts's business.
const passThrough = {
  execute: async <T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T> | T): Promise<T> =>
    fn({ signal: new AbortController().signal }),
} as unknown as Policy;

/** A call failed without an answer from etcd (unreachable, deadline, no leader): another member may answer. */
export const isTransportError = (err: unknown): boolean => err instanceof Error && isRecoverableError(err);

/** Runs a call up to `attempts` times while it fails with a transport error. */
export const withFailover = async <T>(attempts: number, run: () => Promise<T>): Promise<T> => {
  for (let i = 1; ; i++) {
    try {
      return await run();
    } catch (err) {
      if (i >= attempts || !isTransportError(err)) throw err;
    }
  }
};

const tlsCredentials = (options: BackendOptions): IOptions['credentials'] => {
  const files = etcdTlsFiles(options);
  if (!files) return undefined;
  // Without a CA file, trust the system's roots.
  return { rootCertificate: files.ca ?? (undefined as unknown as Buffer), certChain: files.cert, privateKey: files.key };
};

/**
 * A new client of one member (or of `hosts`); validates the options
 * (ConfigError) and registers the password as a secret.
 */
export const createEtcdClient = (options: BackendOptions, settings: EtcdSettings, hosts: string[] = etcdNodes(options)): Etcd3 => {
  const deadline = (): { deadline: Date } => ({ deadline: new Date(Date.now() + settings.requestTimeoutMs) });
  const credentials = etcdCredentials(options);
  return new Etcd3({
    hosts,
    credentials: tlsCredentials(options),
    auth: credentials ? { ...credentials, callOptions: deadline } : undefined,
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
