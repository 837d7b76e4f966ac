// One HTTP GET with a time limit and no connection reuse: a pooled socket
// would keep talking to a backend the proxy no longer routes to, and would
// keep a finished CLI alive.
import { request } from 'node:http';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const MAX_BODY = 64 * 1024;

export const httpGet = (url: string, timeoutMs: number): Promise<HttpResponse> =>
  new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', agent: false, headers: { Connection: 'close' }, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < MAX_BODY) body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });

/** Polls until check() returns true or the deadline passes; returns whether it did. */
export const pollUntil = async (check: () => Promise<boolean>, timeoutMs: number, intervalMs: number): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() + intervalMs > deadline) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
};
