// Classifies what the etcd client throws, by name and message only, so this
// module never loads the client library itself.
import { BackendError, messageOf } from '../../errors.js';

const textOf = (err: unknown): string => {
  const name = err instanceof Error ? err.name : '';
  const details = (err as { details?: unknown } | null)?.details;
  return `${name} ${messageOf(err)} ${typeof details === 'string' ? details : ''}`.toLowerCase();
};

/**
 * The token was rejected or expired (etcd reports an expired simple token on a
 * watch as "permission denied"): a fresh client re-authenticates.
 */
export const isAuthError = (err: unknown): boolean => {
  const text = textOf(err);
  return (
    text.includes('invalid auth token') ||
    text.includes('permission denied') ||
    text.includes('unauthenticated') ||
    text.includes('auth token')
  );
};

/** Wrong user name or password: retrying will not help until someone fixes it. */
export const isCredentialsError = (err: unknown): boolean => textOf(err).includes('authentication failed');

/** The watch asked for history that compaction already removed. */
export const isCompactedReason = (reason: string): boolean => reason.toLowerCase().includes('compacted');

/** A one-line cause for messages: the client's text without its stack or noise. */
export const describeEtcdError = (err: unknown): string => {
  const message = messageOf(err).replace(/\s+/g, ' ').trim();
  return message.length > 0 ? message : String(err);
};

/** Wraps anything thrown into a BackendError naming the endpoints and keeping the cause. */
export const toBackendError = (err: unknown, endpoints: readonly string[], action: string): BackendError => {
  if (err instanceof BackendError) return err;
  const hint = isCredentialsError(err) ? ' (check --username and --password)' : '';
  return new BackendError('etcd', endpoints.join(','), `${action}: ${describeEtcdError(err)}${hint}`, { cause: err });
};
