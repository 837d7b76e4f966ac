// host:port values from the store ("127.0.0.1:9001", "[::1]:9001").
import type { Color } from './types.js';

export interface HostPort {
  host: string;
  port: number;
}

/** Parses host:port; undefined when the value is not one. */
export const parseAddr = (addr: string): HostPort | undefined => {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(addr.trim());
  if (!m?.[1] || !m[2]) return undefined;
  const port = Number(m[2]);
  return port > 0 && port <= 65535 ? { host: m[1], port } : undefined;
};

/** The systemd unit of a color: blue at 127.0.0.1:9001 → blue@9001.service. */
export const unitName = (color: Color, addr: HostPort): string => `${color}@${addr.port}.service`;

/** http://host:port + path, for health checks. */
export const urlOf = (addr: HostPort, path: string): string =>
  `http://${addr.host}:${addr.port}${path.startsWith('/') ? path : `/${path}`}`;
