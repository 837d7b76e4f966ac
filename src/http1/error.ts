// How an HTTP/1.1 exchange failed, for callers that treat the kinds apart:
// the network (a refused or reset connection: `code` is the socket's, e.g.
// ECONNREFUSED, and `cause` its error), an answer that is not HTTP, too
// large or cut off, or a request given up on because the client closed.

export type Http1Failure = 'network' | 'malformed' | 'cut-off' | 'too-large' | 'closed';

export class Http1Error extends Error {
  override readonly name = 'Http1Error';
  /** The socket's error code (ECONNREFUSED, ECONNRESET…) for a network failure. */
  readonly code: string | undefined;
  /** The connection failed before a single octet of the answer arrived. */
  beforeAnswer = false;

  constructor(
    message: string,
    readonly failure: Http1Failure,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    const code = (cause as { code?: unknown } | undefined)?.code;
    this.code = typeof code === 'string' ? code : undefined;
  }
}
