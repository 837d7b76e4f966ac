// The values nearly every store holds ("web-1.example.com:8080",
// "10.0.0.1:8080", "web-00001"), recognized in one pass over their
// characters: no regular expression, no new string. Each answers true only
// when the full check in validate.ts accepts the value and emits it
// unchanged; anything else (brackets, IPv6, a trailing dot, leading zeros,
// whitespace, a bad value) gets false, and the full check decides.

const DOT = 46;
const HYPHEN = 45;
const ZERO = 48;
const NINE = 57;

const isDigit = (c: number): boolean => c >= ZERO && c <= NINE;

/** Letters, digits and "_": what a hostname label starts and ends with. */
const isLabelEdge = (c: number): boolean => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/** Characters of a token: letters, digits and . _ : / @ + = , - */
const TOKEN_CHARS = new Uint8Array(128);
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:/@+=,-') TOKEN_CHARS[c.charCodeAt(0)] = 1;

/** s[start, end) is a decimal IPv4 address as node:net's isIPv4 reads one: four numbers 0-255, no leading zero. */
export const isDottedQuad = (s: string, start = 0, end = s.length): boolean => {
  let octets = 0;
  let i = start;
  while (i < end) {
    const from = i;
    let value = 0;
    while (i < end && isDigit(s.charCodeAt(i))) value = value * 10 + s.charCodeAt(i++) - ZERO;
    const digits = i - from;
    if (digits === 0 || digits > 3 || value > 255 || (digits > 1 && s.charCodeAt(from) === ZERO)) return false;
    octets++;
    if (i === end) break;
    if (s.charCodeAt(i) !== DOT || octets === 4) return false;
    i++;
    if (i === end) return false;
  }
  return octets === 4;
};

/** A lowercase or uppercase hex digit. */
const isHexDigit = (c: number): boolean => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/** The last label reads as a number ("999", "0x7f"): such a name is an address in another form. */
const isNumericLabel = (s: string, start: number, end: number): boolean => {
  let allDigits = true;
  for (let i = start; i < end && allDigits; i++) allDigits = isDigit(s.charCodeAt(i));
  if (allDigits) return true;
  if (end - start < 2 || s.charCodeAt(start) !== ZERO || (s.charCodeAt(start + 1) | 32) !== 120) return false;
  for (let i = start + 2; i < end; i++) if (!isHexDigit(s.charCodeAt(i))) return false;
  return true;
};

/** s[start, end) is a hostname the full check accepts, without a trailing dot. */
export const isPlainHostname = (s: string, start = 0, end = s.length): boolean => {
  if (end <= start || end - start > 253) return false;
  let label = start;
  for (let i = start; i <= end; i++) {
    const c = i === end ? DOT : s.charCodeAt(i);
    if (c === DOT) {
      // A label: 1-63 characters, letters, digits and "_" at both ends, "-" only inside.
      const length = i - label;
      if (length === 0 || length > 63 || !isLabelEdge(s.charCodeAt(label)) || !isLabelEdge(s.charCodeAt(i - 1))) return false;
      if (i === end) return !isNumericLabel(s, label, end);
      label = i + 1;
    } else if (c !== HYPHEN && !isLabelEdge(c)) {
      return false;
    }
  }
  return false;
};

/** s[start, end) is a port in canonical form: 1-65535, no leading zero. */
export const isCanonicalPort = (s: string, start = 0, end = s.length): boolean => {
  const length = end - start;
  if (length < 1 || length > 5 || s.charCodeAt(start) === ZERO) return false;
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) return false;
    value = value * 10 + c - ZERO;
  }
  return value <= 65535;
};

/** An IPv4 address or a hostname without brackets or trailing dot. */
export const isPlainHost = (s: string, start = 0, end = s.length): boolean => isDottedQuad(s, start, end) || isPlainHostname(s, start, end);

/** "name:port" or "10.0.0.1:port", canonical. */
export const isPlainHostPort = (s: string): boolean => {
  const colon = s.lastIndexOf(':');
  return colon > 0 && isCanonicalPort(s, colon + 1) && isPlainHost(s, 0, colon);
};

/** One token of letters, digits and . _ : / @ + = , - (1 to 1024 characters). */
export const isPlainToken = (s: string): boolean => {
  if (s.length === 0 || s.length > 1024) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TOKEN_CHARS[c] === 0) return false;
  }
  return true;
};
