// The fast paths of the proxy-safe checks (fast-checks.ts) against the full
// checks (validate.ts) and node:net: on every input, a fast path that says
// yes must be right, and the checks must answer as the full ones do.
import { isIPv4 } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isCanonicalPort, isDottedQuad, isPlainHost, isPlainHostname, isPlainHostPort, isPlainToken } from '../../src/template/fast-checks.js';
import { fullChecks, validHost, validHostPort, validIP, validPort, validToken } from '../../src/template/validate.js';

const OCTETS = ['0', '00', '01', '1', '9', '10', '09', '99', '100', '199', '200', '249', '250', '255', '256', '300', '999', '1000', '0x7f', '', 'a', '-1', '+1', ' 1'];
const PORTS = ['0', '00', '01', '1', '80', '080', '8080', '65535', '65536', '99999', '100000', '', 'a', '8o', '80 ', '-80', '+80', '1e3', '٣'];
const LABEL_63 = 'a'.repeat(63);

const HOSTS = [
  'a', 'A', '_', '-', 'a-', '-a', 'a-b', 'a_b', '_a', 'a.b', 'a..b', '.a', 'a.', 'a.b.', 'web-00001', 'web-1.example.com', 'db_1.internal.',
  'x.1', '1.x', '1', '127.1', '10.0.0.999', '0x7f.0.0.1', 'a.0x', 'a.0X', 'a.0x1F', 'a.0xg', 'a.0x.', 'a.1a', 'a.a1', '1a', 'ex.12', 'exa$mple',
  'a b', 'a/b', 'a:b', 'a%b', 'é.com', 'a\u0000b', 'a\nb', LABEL_63, `${LABEL_63}a`, `${LABEL_63}.com`, `${LABEL_63}a.com`,
  `${'a.'.repeat(126)}a`, `${'a.'.repeat(126)}ab`, `${'a.'.repeat(127)}a`, `${'ab.'.repeat(84)}a`, '[::1]', '::1', '[10.0.0.1]', 'fe80::1%eth0', '',
];

/** Dotted forms from the octet list, in every order that matters and then some. */
const QUADS: string[] = [];
for (const a of OCTETS) for (const b of ['0', '255', '256', '01', '']) QUADS.push(`${a}.${b}.1.2`, `1.2.${b}.${a}`, `${a}.1.2.3.4`, `${a}.1.2`, `${a}.1.2.${b}.`);

/** A fixed stream of strings of the characters these checks care about. */
const fuzz = (count: number): string[] => {
  const alphabet = '0123456789.:-_abfxAX[]%/ ;\té';
  let seed = 12345;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  return Array.from({ length: count }, () => Array.from({ length: next(24) }, () => alphabet[next(alphabet.length)]).join(''));
};

const INPUTS = [...new Set([...OCTETS, ...PORTS, ...HOSTS, ...QUADS, ...fuzz(20_000)])];
const HOST_PORTS = [...new Set([...HOSTS, ...QUADS.slice(0, 200)].flatMap((h) => PORTS.map((p) => `${h}:${p}`)).concat(INPUTS))];

describe('fast paths of the proxy-safe checks', () => {
  it('read a dotted quad exactly as node:net does', () => {
    for (const s of [...INPUTS, ...QUADS]) expect(isDottedQuad(s), JSON.stringify(s)).toBe(isIPv4(s));
  });

  it('accept only what the full checks accept, and emit it unchanged', () => {
    for (const s of INPUTS) {
      if (isPlainHostname(s)) expect(fullChecks.hostname(s), JSON.stringify(s)).toBe(true);
      if (isCanonicalPort(s)) expect(fullChecks.port(s), JSON.stringify(s)).toBe(s);
      if (isPlainHost(s)) expect(fullChecks.host(s), JSON.stringify(s)).toBe(s);
      if (isPlainToken(s)) expect(fullChecks.token(s), JSON.stringify(s)).toBe(s);
      if (isDottedQuad(s)) expect(fullChecks.ip(s), JSON.stringify(s)).toBe(s);
    }
    for (const s of HOST_PORTS) if (isPlainHostPort(s)) expect(fullChecks.hostPort(s), JSON.stringify(s)).toBe(s);
  });

  it('leave the checks answering as the full ones do', () => {
    for (const s of INPUTS) {
      expect(validPort(s), JSON.stringify(s)).toBe(fullChecks.port(s));
      expect(validIP(s), JSON.stringify(s)).toBe(fullChecks.ip(s));
      expect(validHost(s), JSON.stringify(s)).toBe(fullChecks.host(s));
      expect(validToken(s), JSON.stringify(s)).toBe(fullChecks.token(s));
    }
    for (const s of HOST_PORTS) expect(validHostPort(s), JSON.stringify(s)).toBe(fullChecks.hostPort(s));
  });

  it('take the values stores hold', () => {
    for (const s of ['web-00001.example.com:8080', '10.0.0.1:8080', 'db_1:5432', '255.255.255.255:65535']) expect(isPlainHostPort(s), s).toBe(true);
    for (const s of ['web-00001', 'a.b-c_d', '10.0.0.1']) expect(isPlainHost(s), s).toBe(true);
    for (const s of ['web-00001', 'app_v2', 'a/b:c@d+e=f,g-h.i']) expect(isPlainToken(s), s).toBe(true);
    expect(isCanonicalPort('65535')).toBe(true);
    // What the full checks rewrite or decide on their own: brackets, leading zeros, a trailing dot.
    for (const s of ['[::1]:80', '10.0.0.1:080', '[10.0.0.1]:80', 'a.example.com.:80']) expect(isPlainHostPort(s), s).toBe(false);
  });
});
