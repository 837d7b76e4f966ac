// Parses --metrics and opens the matching source.
import { ConfigError } from '../../errors.js';
import { showValue } from '../../config/show-value.js';
import type { MetricSourceSpec, OpenMetricSource } from '../metric-source.js';
import { openHaproxySource } from './haproxy-source.js';
import { openNginxLogSource } from './nginx-log-source.js';

const USAGE = 'expected haproxy:SOCKET[:BACKEND] (HAProxy stats socket) or nginx-log:FILE (nginx access log in the JSON format)';
const BACKEND_NAME = /^[A-Za-z0-9_.-]+$/;

const usageError = (text: string, detail: string): ConfigError => new ConfigError(undefined, `${detail}`, { key: `--metrics ${showValue(text)}` });

/** `haproxy:SOCKET[:BACKEND]` or `nginx-log:FILE`; a ConfigError (exit 2) naming the value otherwise. */
export const parseMetricsSpec = (text: string): MetricSourceSpec => {
  const colon = text.indexOf(':');
  const kind = colon < 0 ? text : text.slice(0, colon);
  const rest = colon < 0 ? '' : text.slice(colon + 1);
  if (kind === 'nginx-log') {
    if (rest.trim() === '') throw usageError(text, 'no FILE after nginx-log:');
    return { kind: 'nginx-log', file: rest };
  }
  if (kind === 'haproxy') {
    // A backend name has no "/": "haproxy:/run/a.sock:web" names backend web.
    const last = rest.lastIndexOf(':');
    const tail = last < 0 ? undefined : rest.slice(last + 1);
    const hasBackend = tail !== undefined && !tail.includes('/');
    const socket = hasBackend ? rest.slice(0, last) : rest;
    if (socket.trim() === '') throw usageError(text, 'no SOCKET after haproxy:');
    if (!hasBackend) return { kind: 'haproxy', socket };
    if (!BACKEND_NAME.test(tail)) throw usageError(text, `BACKEND ${showValue(tail)} is not a backend name (letters, digits, . _ -)`);
    return { kind: 'haproxy', socket, backend: tail };
  }
  throw usageError(text, USAGE);
};

export const openMetricSource: OpenMetricSource = async (spec, addrs) =>
  spec.kind === 'haproxy'
    ? openHaproxySource({ socket: spec.socket, ...(spec.backend === undefined ? {} : { backend: spec.backend }), addrs })
    : openNginxLogSource({ file: spec.file, addrs });
