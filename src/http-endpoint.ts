// What switchyard's HTTP/1.1 and HTTP/2 clients both need of an http:// or
// https:// endpoint: its host, port and protocol, the name to give TLS for
// SNI, and the TLS material (PEM) for https://.

/** TLS material for https:// origins (PEM); without `ca`, the system's roots are trusted. */
export interface TlsMaterial {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
}

/** Host, port and protocol of an endpoint. */
export interface Destination {
  host: string;
  port: number;
  secure: boolean;
  /** "http://host:port", for errors. */
  origin: string;
}

export const destinationOf = (endpoint: URL): Destination => {
  const secure = endpoint.protocol === 'https:';
  if (!secure && endpoint.protocol !== 'http:') throw new Error(`${endpoint.href}: not an http:// or https:// address`);
  return { host: endpoint.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(endpoint.port) || (secure ? 443 : 80), secure, origin: endpoint.origin };
};

/** The host named for SNI: none for an IP address. */
export const serverNameOf = (host: string): string | undefined => (process.getBuiltinModule('node:net').isIP(host) === 0 ? host : undefined);
