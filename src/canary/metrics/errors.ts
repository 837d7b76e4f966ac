// A metric source that cannot be opened or read: names the source (socket or
// file), what was being done and why it failed. The CLI exits 1 on it.

export class MetricSourceError extends Error {
  override readonly name = 'MetricSourceError';
  constructor(
    /** e.g. "HAProxy stats socket /run/haproxy/admin.sock". */
    readonly source: string,
    /** What was being done: "open", "mark", "read". */
    readonly stage: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${source}: ${stage} failed: ${detail}`, options);
  }
}
