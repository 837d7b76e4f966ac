// --metrics-addr HOST:PORT, checked before anything listens: a port from 1 to
// 65535, and a host that is an IPv4 address, a bracketed IPv6 address or a
// DNS name (never a numeric form only the resolver understands, like 0x7f.1).
import { isIPv4, isIPv6 } from '../template/validate.js';
import { showValue } from './show-value.js';

export interface ListenAddr {
  host: string;
  port: number;
}

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

const validHost = (host: string): boolean => {
  if (isIPv4(host)) return true;
  if (host.length > 253) return false;
  const labels = host.split('.');
  // A last label of digits (or 0x…) would be read as an address by inet_aton.
  if (/^(?:\d+|0x[0-9a-f]*)$/i.test(labels[labels.length - 1] ?? '')) return false;
  return labels.every((l) => LABEL.test(l));
};

/** The address to listen on, or a message saying what is wrong with it. */
export const parseListenAddr = (addr: string): ListenAddr | string => {
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(addr);
  if (!m) return `expected HOST:PORT (examples: 127.0.0.1:9100, [::1]:9100, localhost:9100), got ${showValue(addr)}`;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return `port ${m[3]} in ${showValue(addr)} is out of range (1-65535)`;
  if (m[1] !== undefined) {
    return isIPv6(m[1]) ? { host: m[1], port } : `${showValue(m[1])} in ${showValue(addr)} is not an IPv6 address`;
  }
  const host = m[2] ?? '';
  if (host === '') return { host: '127.0.0.1', port };
  return validHost(host) ? { host, port } : `${showValue(host)} in ${showValue(addr)} is not an IP address or host name`;
};
