import { describe, expect, it } from 'vitest';
import { isAuthError, isCompactedReason, isCredentialsError, toBackendError } from '../../src/backends/etcd/errors.js';
import { BackendError } from '../../src/errors.js';

const named = (name: string, message: string): Error => Object.assign(new Error(message), { name });

describe('etcd error classification', () => {
  it('treats expired or rejected tokens as auth errors, and outages as not', () => {
    expect(isAuthError(named('EtcdInvalidAuthTokenError', 'etcdserver: invalid auth token'))).toBe(true);
    expect(isAuthError(new Error('etcdserver: permission denied'))).toBe(true);
    expect(isAuthError(named('GRPCUnauthenticatedError', '16 UNAUTHENTICATED: bad'))).toBe(true);
    expect(isAuthError(named('GRPCUnavailableError', '14 UNAVAILABLE: Connection dropped'))).toBe(false);
  });

  it('recognises wrong credentials and compaction', () => {
    expect(isCredentialsError(new Error('etcdserver: authentication failed, invalid user ID or password'))).toBe(true);
    expect(isCompactedReason('mvcc: required revision has been compacted')).toBe(true);
    expect(isCompactedReason('etcdserver: permission denied')).toBe(false);
  });

  it('wraps a cause into a BackendError that names every endpoint', () => {
    const cause = new Error('14 UNAVAILABLE:\n  No connection established');
    const err = toBackendError(cause, ['http://a:2379', 'http://b:2379'], 'read /app');
    expect(err).toBeInstanceOf(BackendError);
    expect(err.endpoint).toBe('http://a:2379,http://b:2379');
    expect(err.message).toBe('etcd at http://a:2379,http://b:2379: read /app: 14 UNAVAILABLE: No connection established');
    expect(err.cause).toBe(cause);
    expect(toBackendError(err, ['x'], 'again')).toBe(err);
  });
});
