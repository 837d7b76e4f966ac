// etcd's gRPC API for runs that read once and exit: KV.Txn and
// Auth.Authenticate over HTTP/2 (grpc-unary.ts) in protobuf's wire format
// (wire-format.ts). Loading the etcd3 client (grpc-js, protobufjs) costs more
// than the whole read, and etcd's JSON gateway spends far longer encoding an
// answer of many keys (JSON, base64) than its gRPC port does. Same guarantees
// as the etcd3 client: a deadline per request, username/password (a token in
// the call's metadata, fetched again once when etcd rejects it), TLS with a
// client certificate and CA, and reads hedged across the endpoints as the
// watch daemon's are (../endpoint-health).
import { messageOf } from '../../errors.js';
import { silentLogger, type Logger } from '../../log.js';
import type { BackendOptions } from '../backend.js';
import { createEndpointHealth } from '../endpoint-health/health.js';
import { raceEndpoints } from '../endpoint-health/race.js';
import { isAuthError } from './errors.js';
import { createUnaryCaller, GrpcCallError, isTransientCall } from './grpc-unary.js';
import { etcdCredentials, etcdNodes, etcdTlsFiles, type EtcdSettings } from './options.js';
import type { RangeTxn } from './snapshot.js';
import { decodeAuthenticate, decodeRangeTxn, encodeAuthenticate, encodeRangeTxn } from './wire-format.js';

const TXN = '/etcdserverpb.KV/Txn';
const AUTHENTICATE = '/etcdserverpb.Auth/Authenticate';

export interface OneShotClient {
  txn: RangeTxn;
  close(): void;
}

/** A client for one run; validates the options (ConfigError) and registers the password as a secret. */
export const createOneShotClient = (options: BackendOptions, settings: EtcdSettings, logger: Logger = silentLogger): OneShotClient => {
  const credentials = etcdCredentials(options);
  const endpoints = etcdNodes(options);
  // Read and checked now, as the etcd3 client does. Without a CA file, the system's roots are trusted.
  const files = etcdTlsFiles(options);
  const caller = createUnaryCaller(settings.requestTimeoutMs, { ca: files?.ca, cert: files?.cert, key: files?.key });
  const tokens = new Map<string, Promise<string>>();
  let closed = false;
  // The first endpoint given first, as users list them.
  const health = createEndpointHealth(endpoints, { kind: 'etcd member', logger, first: 0 });

  const tokenFor = (endpoint: string): Promise<string> => {
    let token = tokens.get(endpoint);
    if (!token) {
      token = caller.call(endpoint, AUTHENTICATE, encodeAuthenticate(credentials?.username ?? '', credentials?.password ?? '')).then(decodeAuthenticate);
      tokens.set(endpoint, token);
      token.catch(() => tokens.delete(endpoint));
    }
    return token;
  };

  /** One call on one endpoint; a rejected token is replaced once. */
  const callOn = async (endpoint: string, path: string, message: Buffer): Promise<Buffer> => {
    if (!credentials) return caller.call(endpoint, path, message);
    const stale = tokenFor(endpoint);
    try {
      return await caller.call(endpoint, path, message, { token: await stale });
    } catch (err) {
      if (!(err instanceof GrpcCallError) || !isAuthError(err)) throw err;
      // Expired (simple tokens do when idle) or wiped by a restart.
      if (tokens.get(endpoint) === stale) tokens.delete(endpoint);
      return caller.call(endpoint, path, message, { token: await tokenFor(endpoint) });
    }
  };

  return {
    txn: async (ranges, visit) => {
      const message = encodeRangeTxn(ranges);
      // Hedged: the next endpoint is asked too when one is slow or fails to answer.
      // After close, a request cut short says nothing about its member.
      const answer = await raceEndpoints({ health, isTransient: isTransientCall, ignore: () => closed, describe: messageOf, hedge: true }, (endpoint) =>
        callOn(endpoint, TXN, message),
      );
      return decodeRangeTxn(answer, visit);
    },
    close: () => {
      closed = true;
      caller.close();
    },
  };
};
