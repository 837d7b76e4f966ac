// A color is healthy when GET http://<addr><health path> answers 2xx in time.
import { messageOf } from '../errors.js';
import { parseAddr, urlOf } from './addr.js';
import { httpGet, pollUntil } from './http-get.js';

export interface Health {
  healthy: boolean;
  url?: string;
  /** HTTP status, when there was an answer. */
  status?: number;
  /** Why it is not healthy (connection refused, timeout, status 503). */
  error?: string;
}

export const probeHealth = async (addr: string | undefined, path: string, timeoutMs: number): Promise<Health> => {
  const hp = addr === undefined ? undefined : parseAddr(addr);
  if (!hp) return { healthy: false, error: addr === undefined ? 'no address set' : `${JSON.stringify(addr)} is not host:port` };
  const url = urlOf(hp, path);
  try {
    const res = await httpGet(url, timeoutMs);
    const healthy = res.status >= 200 && res.status < 300;
    return { healthy, url, status: res.status, ...(healthy ? {} : { error: `status ${res.status}` }) };
  } catch (err) {
    return { healthy: false, url, error: messageOf(err) };
  }
};

export interface WaitOptions {
  timeoutMs: number;
  intervalMs: number;
  probeTimeoutMs: number;
}

/** Probes until healthy or the deadline; returns the last probe. */
export const waitHealthy = async (addr: string | undefined, path: string, options: WaitOptions): Promise<Health> => {
  let last: Health = { healthy: false, error: 'not probed' };
  await pollUntil(
    async () => {
      last = await probeHealth(addr, path, options.probeTimeoutMs);
      return last.healthy;
    },
    options.timeoutMs,
    options.intervalMs,
  );
  return last;
};
