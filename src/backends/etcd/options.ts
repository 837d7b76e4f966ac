// The etcd backend's command-line options, checked: endpoints, TLS files,
// credentials and deadlines. No client library here, so the one-shot read
// (oneshot-client.ts) can use them without loading the etcd3 client.
import { readFileSync } from 'node:fs';
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

export const DEFAULT_ETCD_NODES = ['http://127.0.0.1:2379'];

export const etcdSettings = (options: BackendOptions): EtcdSettings => ({
  requestTimeoutMs: options.requestTimeoutMs ?? 5000,
  // etcd refuses pings more often than every 5 s (--grpc-keepalive-min-time).
  keepaliveTimeMs: 6000,
  keepaliveTimeoutMs: 4000,
});

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

const readPem = (file: string, what: string): Buffer => {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConfigError(file, `cannot read the ${what}`, { cause: err });
  }
};

/** The PEM files of --client-ca-keys, --client-cert and --client-key, read. */
export interface EtcdTlsFiles {
  /** Absent: trust the system's roots. */
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/** The TLS files, or undefined when none was given; the certificate and key come together. */
export const etcdTlsFiles = (options: BackendOptions): EtcdTlsFiles | undefined => {
  if (!options.clientCaKeys && !options.clientCert && !options.clientKey) return undefined;
  if (Boolean(options.clientCert) !== Boolean(options.clientKey)) {
    throw new ConfigError(undefined, 'client-cert and client-key must be given together', { key: 'client-cert' });
  }
  return {
    ca: options.clientCaKeys ? readPem(options.clientCaKeys, 'CA certificate (client-ca-keys)') : undefined,
    cert: options.clientCert ? readPem(options.clientCert, 'client certificate') : undefined,
    key: options.clientKey ? readPem(options.clientKey, 'client key') : undefined,
  };
};

/** The user name and password, if any; registers the password as a secret for the logs. */
export const etcdCredentials = (options: BackendOptions): { username: string; password: string } | undefined => {
  addSecret(options.password);
  if (options.password !== undefined && !options.username) {
    throw new ConfigError(undefined, 'a password was given without a username', { key: 'username' });
  }
  return options.username ? { username: options.username, password: options.password ?? '' } : undefined;
};
