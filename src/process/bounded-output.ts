// A child's output with bounded memory: the first and the last LIMIT bytes of
// a stream are kept, whatever it writes in between is counted and dropped, so
// a command printing gigabytes neither exhausts the heap nor floods the log.

/** Bytes kept at each end of one stream. */
export const OUTPUT_KEEP_BYTES = 64 * 1024;

export const omittedMarker = (bytes: number): string => `\n… ${bytes} bytes omitted …\n`;

export class BoundedOutput {
  private head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private total = 0;

  constructor(private readonly keep = OUTPUT_KEEP_BYTES) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    let rest = chunk;
    if (this.headBytes < this.keep) {
      const take = rest.subarray(0, this.keep - this.headBytes);
      this.head.push(take);
      this.headBytes += take.length;
      rest = rest.subarray(take.length);
    }
    if (rest.length === 0) return;
    this.tail.push(rest);
    this.tailBytes += rest.length;
    while (this.tailBytes - (this.tail[0]?.length ?? 0) >= this.keep) {
      this.tailBytes -= this.tail.shift()!.length;
    }
  }

  /** Bytes written in all, kept or not. */
  get bytes(): number {
    return this.total;
  }

  toString(): string {
    let tail = Buffer.concat(this.tail);
    if (tail.length > this.keep) tail = tail.subarray(tail.length - this.keep);
    const omitted = this.total - this.headBytes - tail.length;
    // Never start the tail inside a UTF-8 sequence.
    if (omitted > 0) {
      let skip = 0;
      while (skip < 3 && skip < tail.length && (tail[skip]! & 0xc0) === 0x80) skip += 1;
      tail = tail.subarray(skip);
    }
    const head = Buffer.concat(this.head).toString('utf8');
    return omitted > 0 ? head + omittedMarker(this.total - this.headBytes - tail.length) + tail.toString('utf8') : head + tail.toString('utf8');
  }
}
