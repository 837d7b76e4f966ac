// Validators for values that end up in proxy configuration. Each returns the
// canonical text to emit, or undefined when the value is not acceptable.
// What they accept never contains whitespace, quotes, `;`, `{`, `}`, `#` or `$`,
// so a value can never end a directive or open a block.
//
// The common values take a fast path first (fast-checks.ts): one pass over
// the characters that accepts only what the full check below accepts, and
// emits unchanged; everything else goes to the full check.
import { isCanonicalPort, isDottedQuad, isPlainHost, isPlainHostPort, isPlainToken } from './fast-checks.js';

// node:net's checks, loaded at the first address checked, not at start-up
// (most runs check none), and kept.
let net: typeof import('node:net') | undefined;
const netChecks = (): typeof import('node:net') => (net ??= process.getBuiltinModule('node:net'));
export const isIPv4 = (s: string): boolean => netChecks().isIPv4(s);
export const isIPv6 = (s: string): boolean => netChecks().isIPv6(s);

const LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;
const DIGITS = /^[0-9]+$/;

/** A DNS name: dot-separated labels of letters, digits, "-" and "_", at most 253 characters. */
export const isHostname = (s: string): boolean => {
  const name = s.endsWith('.') ? s.slice(0, -1) : s;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  // A name whose last label is a number ("10.0.0.999", "0x7f.0.0.1", "127.1")
  // is an address in a form resolvers read differently; only canonical IPv4 passes (as an IP).
  const last = labels.at(-1) ?? '';
  return labels.every((l) => LABEL.test(l)) && !DIGITS.test(last) && !/^0x[0-9a-f]*$/i.test(last);
};

/** An IPv6 address without a zone ("%eth0"). */
const isPlainIPv6 = (s: string): boolean => !s.includes('%') && isIPv6(s);

const fullPort = (s: string): string | undefined => {
  if (!/^[0-9]{1,5}$/.test(s)) return undefined;
  const n = Number(s);
  return n >= 1 && n <= 65535 ? String(n) : undefined;
};

const fullIP = (s: string): string | undefined => {
  const bare = s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s;
  return isIPv4(bare) || isPlainIPv6(bare) ? bare : undefined;
};

const fullHost = (s: string): string | undefined => {
  const ip = fullIP(s);
  if (ip !== undefined) return ip.includes(':') ? `[${ip}]` : ip;
  return isHostname(s) ? s : undefined;
};

const fullHostPort = (s: string): string | undefined => {
  const colon = s.lastIndexOf(':');
  if (colon < 0) return undefined;
  const hostPart = s.slice(0, colon);
  // A bare IPv6 address is ambiguous with a port: insist on brackets.
  if (!hostPart.startsWith('[') && hostPart.includes(':')) return undefined;
  if (hostPart.startsWith('[') !== hostPart.endsWith(']')) return undefined;
  const host = fullHost(hostPart);
  const port = fullPort(s.slice(colon + 1));
  return host !== undefined && port !== undefined ? `${host}:${port}` : undefined;
};

const TOKEN = /^[A-Za-z0-9._:/@+=,-]{1,1024}$/;

const fullToken = (s: string): string | undefined => (TOKEN.test(s) ? s : undefined);

/** The checks without their fast paths: what fast-checks.ts must agree with. */
export const fullChecks = { port: fullPort, ip: fullIP, host: fullHost, hostPort: fullHostPort, token: fullToken, hostname: isHostname };

export const validPort = (s: string): string | undefined => (isCanonicalPort(s) ? s : fullPort(s));

/** An IP address, bare ("10.0.0.1", "::1"; "[::1]" is unwrapped). */
export const validIP = (s: string): string | undefined => (isDottedQuad(s) ? s : fullIP(s));

/** A hostname, IPv4 or IPv6 address; IPv6 comes back in brackets, ready for ":port". */
export const validHost = (s: string): string | undefined => (isPlainHost(s) ? s : fullHost(s));

/** "host:port", "1.2.3.4:port" or "[v6]:port". */
export const validHostPort = (s: string): string | undefined => (isPlainHostPort(s) ? s : fullHostPort(s));

/** An address or a network: "10.0.0.0/8", "fd00::/8", or a bare IP. */
export const validCidr = (s: string): string | undefined => {
  const [addr = '', bits, extra] = s.split('/');
  const ip = validIP(addr);
  if (ip === undefined || extra !== undefined || ip !== addr) return undefined;
  if (bits === undefined) return ip;
  const max = ip.includes(':') ? 128 : 32;
  if (!/^[0-9]{1,3}$/.test(bits) || Number(bits) > max) return undefined;
  return `${ip}/${Number(bits)}`;
};

/** One nginx server_name entry: a name, "*.example.com", ".example.com", "www.example.*". Never a space. */
export const validServerName = (n: string): string | undefined => {
  const core = n.startsWith('*.') ? n.slice(2) : n.startsWith('.') ? n.slice(1) : n.endsWith('.*') ? n.slice(0, -2) : n;
  return isHostname(core) || validIP(core) !== undefined ? n : undefined;
};

/** One word with no syntax in it: letters, digits and . _ : / @ + = , - */
export const validToken = (s: string): string | undefined => (isPlainToken(s) ? s : fullToken(s));

/** A time both nginx and HAProxy read: digits with an optional ms, s, m, h or d. */
export const validDuration = (s: string): string | undefined => (/^[0-9]{1,9}(?:ms|s|m|h|d)?$/.test(s) ? s : undefined);

/** An integer within [min, max]. */
export const validInt = (s: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): string | undefined => {
  if (!/^-?[0-9]{1,15}$/.test(s)) return undefined;
  const n = Number(s);
  return n >= min && n <= max ? String(n) : undefined;
};
