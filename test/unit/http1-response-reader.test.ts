// The HTTP/1.1 answer reader (src/http1/response-reader.ts) on answers cut
// into every possible pair of pieces and fed one octet at a time: the same
// status, fields and body whatever the cuts; what follows an answer is left
// over; the limits and the malformed answers it refuses.
import { describe, expect, it } from 'vitest';
import { Http1Error } from '../../src/http1/error.js';
import { MAX_HEADER_OCTETS, ResponseReader, type Http1Answer } from '../../src/http1/response-reader.js';

const ORIGIN = 'http://127.0.0.1:8500';

/** Feeds `pieces` in turn; the answer and what was left over after it. */
const read = (pieces: Buffer[], options: { head?: boolean; close?: boolean } = {}): { answer: Http1Answer; rest: Buffer } => {
  const reader = new ResponseReader(ORIGIN, options.head ?? false);
  let rest: Buffer = Buffer.alloc(0);
  for (const piece of pieces) {
    expect(reader.done).toBe(false);
    rest = reader.push(piece);
  }
  if (options.close) reader.end();
  expect(reader.done).toBe(true);
  return { answer: reader.answer(), rest };
};

const octets = (text: string): Buffer => Buffer.from(text, 'latin1');
const bytewise = (text: string): Buffer[] => [...octets(text)].map((b) => Buffer.from([b]));
const failure = (pieces: Buffer[], options: { close?: boolean } = {}): Http1Error => {
  const reader = new ResponseReader(ORIGIN, false);
  try {
    for (const piece of pieces) reader.push(piece);
    if (options.close) reader.end();
  } catch (err) {
    expect(err).toBeInstanceOf(Http1Error);
    return err as Http1Error;
  }
  throw new Error('the reader accepted it');
};

/** The same answer, whole, split at every position, and octet by octet. */
const everySplit = (text: string, check: (answer: Http1Answer) => void, options: { close?: boolean } = {}): void => {
  check(read([octets(text)], options).answer);
  for (let at = 1; at < text.length; at++) check(read([octets(text.slice(0, at)), octets(text.slice(at))], options).answer);
  check(read(bytewise(text), options).answer);
};

describe('reads an answer whatever pieces it comes in', () => {
  it('by content-length, fields lower-cased, repeated ones joined as node:http joins them', () => {
    const text = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Consul-Index: 42\r\nVia: a\r\nvia:  b \r\nContent-Type: text/plain\r\nCookie: x=1\r\nCookie: y=2\r\nContent-Length: 11\r\n\r\n{"a":"\u00e9t\u00e9"}';
    everySplit(text, (answer) => {
      expect(answer.status).toBe(200);
      expect(answer.headers).toEqual({ 'content-type': 'application/json', 'x-consul-index': '42', via: 'a, b', cookie: 'x=1; y=2', 'content-length': '11' });
      expect(answer.body.toString('latin1')).toBe('{"a":"\u00e9t\u00e9"}');
      expect(answer.keepAlive).toBe(true);
    });
  });

  it('chunked, with chunk extensions, upper-case hex and trailers; the trailers are not fields of the answer', () => {
    const text = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\nA \r\n, chunked!\r\n1;a=1;b="x;y"\r\n.\r\n0\r\nX-Checksum: abc\r\nX-More: 1\r\n\r\n';
    everySplit(text, (answer) => {
      expect(answer.body.toString()).toBe('hello, chunked!.');
      expect(answer.headers).toEqual({ 'transfer-encoding': 'chunked' });
      expect(answer.keepAlive).toBe(true);
    });
  });

  it('until the server closes when there is neither length nor chunks; such a connection is not kept', () => {
    everySplit(
      'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it\nuntil the end',
      (answer) => {
        expect(answer.body.toString()).toBe('all of it\nuntil the end');
        expect(answer.keepAlive).toBe(false);
      },
      { close: true },
    );
  });

  it('no body for 204, 304 and HEAD, whatever their fields say; 1xx answers are skipped; bare LF line ends', () => {
    expect(read([octets('HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n')]).answer).toMatchObject({ status: 204, body: Buffer.alloc(0) });
    expect(read([octets('HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n')]).answer.status).toBe(304);
    const head = read([octets('HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n')], { head: true }).answer;
    expect(head).toMatchObject({ status: 200, body: Buffer.alloc(0), keepAlive: true });
    everySplit('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\nX-A: 1\n\nHTTP/1.1 201 Created\nContent-Length: 2\n\nok', (answer) => {
      expect(answer).toMatchObject({ status: 201, headers: { 'content-length': '2' } });
      expect(answer.body.toString()).toBe('ok');
    });
  });

  it('leaves what follows the answer over, from the same piece', () => {
    const { answer, rest } = read([octets('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 200 OK\r\n')]);
    expect(answer.body.toString()).toBe('abc');
    expect(rest.toString()).toBe('HTTP/1.1 200 OK\r\n');
    expect(read([octets('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\nextra')]).rest.toString()).toBe('extra');
  });

  it('keeps the connection unless told to close; HTTP/1.0 only when told to keep it', () => {
    const keep = (text: string): boolean => read([octets(`${text}Content-Length: 0\r\n\r\n`)]).answer.keepAlive;
    expect(keep('HTTP/1.1 200 OK\r\n')).toBe(true);
    expect(keep('HTTP/1.1 200 OK\r\nConnection: Keep-Alive, Close\r\n')).toBe(false);
    expect(keep('HTTP/1.0 200 OK\r\n')).toBe(false);
    expect(keep('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n')).toBe(true);
  });
});

describe('refuses', () => {
  it('what is not HTTP, naming the server', () => {
    const err = failure([octets('SSH-2.0-OpenSSH_9.2\r\n')]);
    expect(err.failure).toBe('malformed');
    expect(err.message).toBe(`malformed answer from ${ORIGIN}: a status line of "SSH-2.0-OpenSSH_9.2"`);
  });

  it('a bad chunk size, a chunk longer than its size, a bad field, a bad or conflicting content-length', () => {
    const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
    expect(failure([octets(`${chunked}zz\r\n`)]).message).toBe(`malformed answer from ${ORIGIN}: a chunk size of "zz"`);
    expect(failure(bytewise(`${chunked}2\r\nabc\r\n`)).message).toBe(`malformed answer from ${ORIGIN}: a chunk longer than its size`);
    expect(failure([octets(`${chunked}${'1'.repeat(5000)}`)]).message).toMatch(/a chunk size line of more than 4096 octets/);
    expect(failure([octets('HTTP/1.1 200 OK\r\nno colon here\r\n\r\n')]).message).toMatch(/^malformed answer from .*: not a header field/);
    expect(failure([octets('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n')]).message).toMatch(/a content-length of "-1"/);
    expect(failure([octets('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n')]).message).toMatch(/two different content-length fields/);
  });

  it('an answer framed by both Transfer-Encoding and Content-Length, as node:http does: which one ends it is ambiguous', () => {
    const err = failure([octets('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n')]);
    expect(err.failure).toBe('malformed');
    expect(err.message).toBe(`malformed answer from ${ORIGIN}: both Transfer-Encoding and Content-Length`);
  });

  it('a field value holding a NUL or a bare CR, as node:http does', () => {
    for (const value of ['a\0b', 'a\rb']) {
      const err = failure([octets(`HTTP/1.1 200 OK\r\nX-Consul-Index: ${value}\r\nContent-Length: 0\r\n\r\n`)]);
      expect(err.message).toMatch(/^malformed answer from .*: not a header field/);
    }
  });

  it('counts an answer as begun from its first octet, even when its status line is refused', () => {
    const reader = new ResponseReader(ORIGIN, false);
    expect(reader.started).toBe(false);
    expect(() => reader.push(octets('garbage\r\n'))).toThrow(Http1Error);
    expect(reader.started).toBe(true);
  });

  it('a header block over the limit, even in small pieces, and not one at the limit', () => {
    const start = 'HTTP/1.1 200 OK\r\n';
    const end = '\r\nContent-Length: 0\r\n\r\n';
    const value = 'a'.repeat(MAX_HEADER_OCTETS - start.length - end.length - 'X-Big: '.length);
    const fits = `${start}X-Big: ${value}${end}`;
    expect(fits.length).toBe(MAX_HEADER_OCTETS);
    expect(read([octets(fits)]).answer.headers['x-big']).toBe(value);
    const over = `${start}X-Big: ${'a'.repeat(MAX_HEADER_OCTETS)}`;
    const pieces = [];
    for (let at = 0; at < over.length; at += 1000) pieces.push(octets(over.slice(at, at + 1000)));
    const err = failure(pieces);
    expect(err.failure).toBe('too-large');
    expect(err.message).toBe(`${ORIGIN} sent a header block of more than ${MAX_HEADER_OCTETS} octets`);
  });

  it('an answer cut off: before it began, in its fields, in its body, in its chunks', () => {
    expect(failure([], { close: true }).message).toBe(`the answer was cut off: ${ORIGIN} closed the connection before answering`);
    for (const text of ['HTTP/1.1 200 OK\r\nContent-Le', 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n']) {
      const err = failure([octets(text)], { close: true });
      expect(err.failure).toBe('cut-off');
      expect(err.message).toBe(`the answer was cut off: ${ORIGIN} closed the connection in the middle of it`);
    }
  });
});
