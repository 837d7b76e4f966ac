// Helpers for proxy configuration. Store values are written by many people
// and read by a root process: these emit a value only after checking it, and
// fail the render (naming the key and the value) otherwise, so a value such
// as `9001; } server { listen 80` can never become a directive.
// `port KEY` reads a key; `safePort VALUE` checks a value already in hand
// (a service instance's address, a loop variable).
import { asInteger, asString, expectArity } from '../args.js';
import { HelperError, quoteValue } from '../errors.js';
import type { HelperScope, HelperTable } from '../state.js';
import {
  validCidr, validDuration, validHost, validHostPort, validInt, validIP, validPort, validServerName, validToken,
} from '../validate.js';
import { matchPairs, requireValue } from './kv.js';
import { pure } from './pure.js';

interface Kind {
  /** What a valid value looks like, for the error message. */
  what: string;
  check(value: string, hash: Record<string, unknown>): string | undefined;
}

const bound = (hash: Record<string, unknown>, name: 'min' | 'max'): number | undefined =>
  hash[name] === undefined ? undefined : asInteger(hash[name], name);

const KINDS = {
  host: { what: 'a hostname, IPv4 or IPv6 address', check: validHost },
  port: { what: 'a port number (1-65535)', check: validPort },
  hostPort: { what: 'host:port (hostname, IPv4 or [IPv6], port 1-65535)', check: validHostPort },
  ip: { what: 'an IPv4 or IPv6 address', check: validIP },
  cidr: { what: 'an IP address or network (10.0.0.0/8)', check: validCidr },
  serverName: { what: 'one server name (example.com, *.example.com; several: one serverName each)', check: validServerName },
  token: { what: 'a single word of letters, digits and . _ : / @ + = , -', check: validToken },
  duration: { what: 'a duration (digits with ms, s, m, h or d)', check: validDuration },
  int: {
    what: 'an integer in range',
    check: (value: string, hash: Record<string, unknown>) => validInt(value, bound(hash, 'min'), bound(hash, 'max')),
  },
} satisfies Record<string, Kind>;

const checked = (kind: Kind, raw: string, hash: Record<string, unknown>, source: string, key?: string): string => {
  const out = kind.check(raw.trim(), hash);
  if (out !== undefined) return out;
  const range = hash.min !== undefined || hash.max !== undefined ? ` [${String(hash.min ?? '')}..${String(hash.max ?? '')}]` : '';
  throw new HelperError(`${source}value ${quoteValue(raw)} is not ${kind.what}${range}`, key);
};

/** A key's value (read by the caller) checked as `kind`; the error names the key and the value. */
export const checkedKeyValue = (scope: HelperScope, kind: keyof typeof KINDS, key: string, raw: string, hash: Record<string, unknown> = {}): string =>
  checked(KINDS[kind], raw, hash, `key ${JSON.stringify(key)} (${scope.state.view.fullKey(key)}): `, key);

const fromKey =
  (kind: keyof typeof KINDS): HelperTable[string] =>
  (scope, args) => {
    expectArity(args, 1, 2, 'KEY [DEFAULT]');
    const key = asString(args[0], 'KEY');
    const raw = requireValue(scope, key, args.length > 1 ? asString(args[1], 'DEFAULT') : undefined);
    return checkedKeyValue(scope, kind, key, raw, scope.options.hash);
  };

const fromValue = (kind: Kind): HelperTable[string] =>
  pure((scope, args) => {
    expectArity(args, 1, 1, 'VALUE');
    return checked(kind, asString(args[0], 'VALUE'), scope.options.hash, '');
  });

const safeHostPortValue = fromValue(KINDS.hostPort);

// safeHostPort HOST PORT joins a host and a port, e.g. a service's address and port.
const safeHostPort = pure((scope: HelperScope, args: unknown[]): string => {
  expectArity(args, 1, 2, 'VALUE | HOST PORT');
  if (args.length === 1) return safeHostPortValue(scope, args) as string;
  const host = checked(KINDS.host, asString(args[0], 'HOST'), {}, 'host ');
  return `${host}:${checked(KINDS.port, asString(args[1], 'PORT'), {}, 'port ')}`;
});

const capitalized = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);

export const proxySafeHelpers: HelperTable = {
  ...Object.fromEntries(Object.keys(KINDS).map((name) => [name, fromKey(name as keyof typeof KINDS)])),
  ...Object.fromEntries(Object.entries(KINDS).map(([name, kind]) => [`safe${capitalized(name)}`, fromValue(kind)])),
  safeHostPort,
  hostPorts: (scope, args) => {
    expectArity(args, 1, 1, 'PATTERN');
    return matchPairs(scope, asString(args[0], 'PATTERN')).map(({ key, value }) =>
      checked(KINDS.hostPort, value, {}, `key ${JSON.stringify(key)} (${scope.state.view.fullKey(key)}): `, key),
    );
  },
};
