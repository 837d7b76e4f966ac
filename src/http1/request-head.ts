// A request as the octets sent: request line, Host, User-Agent, the caller's
// fields, Content-Length for a body (0 for a method other than GET or HEAD
// without one), then the body: one buffer, for one write.

export interface Http1Request {
  method: string;
  /** The request target: "/v1/kv/app?recurse=true". */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
}

const FIELD_TEXT = /^[^\r\n\0]*$/;

/** The request's octets for `host` ("127.0.0.1:8500"); throws on a field that would break the framing. */
export const encodeRequest = (host: string, request: Http1Request): Buffer => {
  if (!/^[A-Z]+$/.test(request.method) || !/^\S+$/.test(request.path)) throw new Error(`not a request line: ${JSON.stringify(`${request.method} ${request.path}`)}`);
  const fields: Record<string, string> = { host, 'user-agent': 'switchyard' };
  for (const [name, value] of Object.entries(request.headers ?? {})) fields[name.toLowerCase()] = value;
  const length = request.body?.length ?? 0;
  if (length > 0 || (request.method !== 'GET' && request.method !== 'HEAD')) fields['content-length'] = String(length);
  else delete fields['content-length'];
  let head = `${request.method} ${request.path} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(fields)) {
    if (!FIELD_TEXT.test(name) || !FIELD_TEXT.test(value) || name.includes(':')) throw new Error(`the header field ${JSON.stringify(name)} holds a line break or a colon`);
    head += `${name}: ${value}\r\n`;
  }
  head += '\r\n';
  if (length === 0) return Buffer.from(head, 'latin1');
  const octets = Buffer.allocUnsafe(Buffer.byteLength(head, 'latin1') + length);
  const at = octets.write(head, 'latin1');
  (request.body as Buffer).copy(octets, at);
  return octets;
};
