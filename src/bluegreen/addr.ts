// host:port values from the store ("127.0.0.1:9001", "[::1]:9001").
import { validHostPort } from '../template/validate.js';
import type { Color } from './types.js';

export interface HostPort {
  host: string;
  port: number;
}

/** Parses host:port with the same rule as the templates' hostPort; undefined when the value is not one. */
export const parseAddr = (addr: string): HostPort | undefined => {
  const valid = validHostPort(addr.trim());
  if (valid === undefined) return undefined;
  const colon = valid.lastIndexOf(':');
  return { host: valid.slice(0, colon), port: Number(valid.slice(colon + 1)) };
};

/** The systemd unit of a color: blue at 127.0.0.1:9001 → blue@9001.service. */
export const unitName = (color: Color, addr: HostPort): string => `${color}@${addr.port}.service`;

/** http://host:port + path, for health checks. */
export const urlOf = (addr: HostPort, path: string): string =>
  `http://${addr.host}:${addr.port}${path.startsWith('/') ? path : `/${path}`}`;
