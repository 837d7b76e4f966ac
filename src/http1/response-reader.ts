// Reads one HTTP/1.1 answer from the octets of a connection, in whatever
// pieces they come: the status line, the header fields, then the body by
// Content-Length, by chunked transfer coding (extensions and trailers read
// and dropped) or until the server closes. A byte-exact state machine: each
// octet is looked at once, lines are gathered across pieces, and what
// follows the answer is left over. 1xx answers are skipped; HEAD, 204 and 304
// answers have no body.
import { Http1Error } from './error.js';
import { addHeaderLine, listsToken, type HeaderRecord } from './headers.js';

/** The most octets read for the status line and header fields (and again for trailers). */
export const MAX_HEADER_OCTETS = 64 * 1024;
// A chunk size line: the size in hex and its extensions.
const MAX_CHUNK_LINE = 4096;
const LF = 0x0a;

export interface Http1Answer {
  status: number;
  headers: HeaderRecord;
  body: Buffer;
  /** The server keeps the connection open for another request. */
  keepAlive: boolean;
}

type State = 'status' | 'headers' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'until-close' | 'done';

const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/;
const CHUNK_SIZE = /^([0-9A-Fa-f]{1,12})[ \t]*(?:;.*)?$/;

export class ResponseReader {
  private state: State = 'status';
  private line: Buffer[] = [];
  private lineOctets = 0;
  /** Octets of the current header block (or trailers), against MAX_HEADER_OCTETS. */
  private blockOctets = 0;
  private status = 0;
  private minor = 1;
  private headers: HeaderRecord = {};
  private readonly body: Buffer[] = [];
  /** Body octets still to read: of the whole body (length) or of the chunk. */
  private remaining = 0;
  private keepAlive = true;
  /** An octet of the answer has arrived. */
  private begun = false;

  /** `origin` names the server in errors; `head`: the request was HEAD, the answer has no body. */
  constructor(
    private readonly origin: string,
    private readonly head: boolean,
  ) {}

  get done(): boolean {
    return this.state === 'done';
  }

  /** Whether some of the answer has been read (a connection that fails before has not answered at all). */
  get started(): boolean {
    return this.begun;
  }

  /**
   * Reads `chunk`. Returns the octets after the end of the answer (empty
   * while it is not complete, or when nothing follows it).
   */
  push(chunk: Buffer): Buffer {
    if (chunk.length > 0) this.begun = true;
    let at = 0;
    while (at < chunk.length && this.state !== 'done') {
      if (this.state === 'length' || this.state === 'chunk-data' || this.state === 'until-close') at = this.readBody(chunk, at);
      else at = this.readLine(chunk, at);
    }
    return chunk.subarray(at);
  }

  /** The server closed the connection: completes an answer read until close; any other unfinished answer was cut off. */
  end(): void {
    if (this.state === 'until-close') this.state = 'done';
    if (this.state !== 'done') throw new Http1Error(`the answer was cut off: ${this.origin} closed the connection ${this.started ? 'in the middle of it' : 'before answering'}`, 'cut-off');
  }

  answer(): Http1Answer {
    const body = this.body.length === 1 ? (this.body[0] as Buffer) : Buffer.concat(this.body);
    return { status: this.status, headers: this.headers, body, keepAlive: this.keepAlive };
  }

  private malformed(why: string): Http1Error {
    return new Http1Error(`malformed answer from ${this.origin}: ${why}`, 'malformed');
  }

  private readBody(chunk: Buffer, at: number): number {
    const take = this.state === 'until-close' ? chunk.length - at : Math.min(this.remaining, chunk.length - at);
    if (take > 0) this.body.push(chunk.subarray(at, at + take));
    if (this.state === 'until-close') return at + take;
    this.remaining -= take;
    if (this.remaining === 0) this.state = this.state === 'length' ? 'done' : 'chunk-end';
    return at + take;
  }

  /** Gathers a line up to LF across pieces, within the limit of its state; handles it when whole. */
  private readLine(chunk: Buffer, at: number): number {
    const lf = chunk.indexOf(LF, at);
    const end = lf < 0 ? chunk.length : lf;
    const octets = end - at;
    this.lineOctets += octets;
    const inBlock = this.state === 'status' || this.state === 'headers' || this.state === 'trailers';
    if (inBlock) {
      this.blockOctets += octets + (lf < 0 ? 0 : 1);
      if (this.blockOctets > MAX_HEADER_OCTETS) {
        throw new Http1Error(`${this.origin} sent a header block of more than ${MAX_HEADER_OCTETS} octets`, 'too-large');
      }
    } else if (this.lineOctets > MAX_CHUNK_LINE) {
      throw this.malformed(`a chunk size line of more than ${MAX_CHUNK_LINE} octets`);
    }
    if (octets > 0) this.line.push(chunk.subarray(at, end));
    if (lf < 0) return chunk.length;
    const whole = this.line.length === 1 ? (this.line[0] as Buffer) : Buffer.concat(this.line);
    const text = whole.toString('latin1', 0, whole.length > 0 && whole[whole.length - 1] === 0x0d ? whole.length - 1 : whole.length);
    this.line = [];
    this.lineOctets = 0;
    this.onLine(text);
    return lf + 1;
  }

  private onLine(line: string): void {
    switch (this.state) {
      case 'status': {
        const match = STATUS_LINE.exec(line);
        if (!match) throw this.malformed(`a status line of ${JSON.stringify(line.slice(0, 80))}`);
        this.minor = Number(match[1]);
        this.status = Number(match[2]);
        this.state = 'headers';
        return;
      }
      case 'headers': {
        if (line !== '') {
          const complaint = addHeaderLine(this.headers, line);
          if (complaint) throw this.malformed(complaint);
          return;
        }
        return this.onHeadersEnd();
      }
      case 'chunk-size': {
        const match = CHUNK_SIZE.exec(line);
        if (!match) throw this.malformed(`a chunk size of ${JSON.stringify(line.slice(0, 80))}`);
        this.remaining = parseInt(match[1] as string, 16);
        if (this.remaining > 0) this.state = 'chunk-data';
        else {
          this.state = 'trailers';
          this.blockOctets = 0;
        }
        return;
      }
      case 'chunk-end':
        if (line !== '') throw this.malformed('a chunk longer than its size');
        this.state = 'chunk-size';
        return;
      case 'trailers':
        if (line === '') this.state = 'done';
        else if (!line.includes(':')) throw this.malformed(`not a trailer field: ${JSON.stringify(line.slice(0, 80))}`);
        return;
      default:
        return;
    }
  }

  /** The header block ended: a 1xx answer is skipped; the framing of the body follows from the fields. */
  private onHeadersEnd(): void {
    if (this.status < 200) {
      if (this.status === 101) throw this.malformed('it switched protocols, which was not asked for');
      this.state = 'status';
      this.headers = {};
      this.blockOctets = 0;
      return;
    }
    const connection = this.headers['connection'];
    this.keepAlive = this.minor === 1 ? !listsToken(connection, 'close') : listsToken(connection, 'keep-alive');
    if (this.head || this.status === 204 || this.status === 304) {
      this.state = 'done';
      return;
    }
    const coding = this.headers['transfer-encoding'];
    // Which of the two ends the body is ambiguous (a smuggled answer): node:http refuses it too.
    if (coding !== undefined && this.headers['content-length'] !== undefined) throw this.malformed('both Transfer-Encoding and Content-Length');
    if (coding !== undefined) {
      const codings = coding.split(',');
      if (codings[codings.length - 1]?.trim().toLowerCase() === 'chunked') this.state = 'chunk-size';
      else this.untilClose();
      return;
    }
    const length = this.headers['content-length'];
    if (length === undefined) return this.untilClose();
    if (!/^\d{1,15}$/.test(length)) throw this.malformed(`a content-length of ${JSON.stringify(length.slice(0, 40))}`);
    this.remaining = Number(length);
    this.state = this.remaining > 0 ? 'length' : 'done';
  }

  private untilClose(): void {
    this.state = 'until-close';
    this.keepAlive = false;
  }
}
