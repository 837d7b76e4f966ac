// Answers to the DNS questions of lookupIP and lookupSRV, as confd gives
// them: sorted so a reshuffled answer does not cause a reload, and an empty
// list when the name does not resolve.
import type { LookupRequest } from './state.js';

/** One SRV record; confd's field names, with lower-case aliases. */
export interface SrvRecord {
  Target: string;
  Port: number;
  Priority: number;
  Weight: number;
  target: string;
  port: number;
  priority: number;
  weight: number;
}

export interface Resolvers {
  lookupIP(name: string): Promise<string[]>;
  lookupSRV(service: string, proto: string, name: string): Promise<SrvRecord[]>;
}

const TIMEOUT_MS = 5000;

const withTimeout = async <T>(work: Promise<T>, fallback: T): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), TIMEOUT_MS);
  });
  try {
    return await Promise.race([work.catch(() => fallback), expired]);
  } finally {
    clearTimeout(timer);
  }
};

type DnsPromises = typeof import('node:dns').promises;

let loaded: Promise<{ dns: DnsPromises; srvResolver: InstanceType<DnsPromises['Resolver']> }> | undefined;

/** node:dns and the SRV resolver, made at the first lookup: most renders ask none, and a resolver opens a channel. */
const resolver = (): NonNullable<typeof loaded> =>
  (loaded ??= import('node:dns').then(({ promises: dns }) => ({ dns, srvResolver: new dns.Resolver({ timeout: 2000, tries: 2 }) })));

const srvOrder = (r: SrvRecord): string => `${r.Target}${r.Port}${r.Priority}${r.Weight}`;

/** The system resolver (getaddrinfo: /etc/hosts, then DNS) and DNS for SRV. */
export const systemResolvers: Resolvers = {
  lookupIP: async (name) => {
    const { dns } = await resolver();
    const found = await withTimeout(dns.lookup(name, { all: true, verbatim: true }), []);
    return [...new Set(found.map((a) => a.address))].sort();
  },
  lookupSRV: async (service, proto, name) => {
    // As Go's net.LookupSRV: empty service and proto query the name itself.
    const query = service === '' && proto === '' ? name : `_${service}._${proto}.${name}`;
    const { srvResolver } = await resolver();
    const found = await withTimeout(srvResolver.resolveSrv(query), []);
    const records = found.map((r) => ({
      Target: r.name, Port: r.port, Priority: r.priority, Weight: r.weight,
      target: r.name, port: r.port, priority: r.priority, weight: r.weight,
    }));
    return records.sort((a, b) => (srvOrder(a) < srvOrder(b) ? -1 : srvOrder(a) > srvOrder(b) ? 1 : 0));
  },
};

export const resolveLookup = (resolvers: Resolvers, request: LookupRequest): Promise<unknown[]> =>
  request.kind === 'ip' ? resolvers.lookupIP(request.name) : resolvers.lookupSRV(request.service, request.proto, request.name);
