// A tiny HTTP client for the Consul harness: plain node:http/https so tests
// can seed and inspect the agent without going through the code under test.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import type { TlsFiles } from './tls.js';

export interface ConsulHttpResponse {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface ConsulHttpOptions {
  token?: string;
  /** A string or Buffer is sent as it is (raw bytes for a KV PUT); anything else as JSON. */
  body?: unknown;
  timeoutMs?: number;
}

export type ConsulHttp = (method: string, path: string, options?: ConsulHttpOptions) => Promise<ConsulHttpResponse>;

/** A request function bound to one agent address (http:// or https:// with the harness's certificates). */
export const consulHttp = (address: string, tls?: TlsFiles): ConsulHttp => {
  const secure = address.startsWith('https:');
  const tlsOptions = secure && tls
    ? { ca: readFileSync(tls.ca), cert: readFileSync(tls.clientCert), key: readFileSync(tls.clientKey) }
    : {};
  return (method, path, options = {}) =>
    new Promise((resolve, reject) => {
      const payload = options.body === undefined ? undefined
        : typeof options.body === 'string' || Buffer.isBuffer(options.body) ? options.body : JSON.stringify(options.body);
      const headers: Record<string, string> = {};
      if (options.token) headers['x-consul-token'] = options.token;
      const send = secure ? httpsRequest : httpRequest;
      const req = send(new URL(path, address), { method, headers, timeout: options.timeoutMs ?? 10_000, ...tlsOptions }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
};

/** Like ConsulHttp, but rejects on a non-2xx answer with the status and body. */
export const expectOk = async (http: ConsulHttp, method: string, path: string, options?: ConsulHttpOptions): Promise<ConsulHttpResponse> => {
  const res = await http(method, path, options);
  if (res.status < 200 || res.status > 299) throw new Error(`consul ${method} ${path}: HTTP ${res.status}: ${res.body.trim()}`);
  return res;
};
