// An answer's header fields as a record of lower-cased names, the way
// node:http's IncomingMessage gives them: a field that may appear once keeps
// its first value, `cookie` values are joined with "; ", others with ", ".

export type HeaderRecord = Record<string, string | undefined>;

// The fields node:http keeps the first of when repeated.
const SINGLE = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
]);

// RFC 9110's token characters, allowed in a field name.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Adds one "Name: value" line to `headers`; returns a complaint when the line is not a field (a NUL or CR in it neither). */
export const addHeaderLine = (headers: HeaderRecord, line: string): string | undefined => {
  const colon = line.indexOf(':');
  const name = colon > 0 ? line.slice(0, colon) : '';
  if (!TOKEN.test(name) || /[\0\r]/.test(line)) return `not a header field: ${JSON.stringify(line.slice(0, 80))}`;
  const key = name.toLowerCase();
  const value = line.slice(colon + 1).trim();
  const previous = headers[key];
  if (previous === undefined) headers[key] = value;
  else if (key === 'content-length' && previous !== value) return `two different content-length fields (${previous}, ${value})`;
  else if (!SINGLE.has(key)) headers[key] = `${previous}${key === 'cookie' ? '; ' : ', '}${value}`;
  return undefined;
};

/** Whether a comma-separated field (Connection, Transfer-Encoding) lists `token`, case-insensitively. */
export const listsToken = (field: string | undefined, token: string): boolean =>
  field !== undefined && field.split(',').some((part) => part.trim().toLowerCase() === token);
