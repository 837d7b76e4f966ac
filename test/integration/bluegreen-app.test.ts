// The example app as blue@.service runs it: color and version on /, health,
// and a graceful SIGTERM that finishes in-flight requests.
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO } from '../harness/cli.js';
import { freePort } from '../harness/ports.js';

const SERVER = join(REPO, 'examples/blue-green/app/server.js');
let child: ChildProcess | undefined;

interface Answer {
  status: number;
  color?: string;
  body: string;
}

const get = (port: number, path: string): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, color: res.headers['x-color'] as string | undefined, body }));
    });
    req.on('error', reject);
    req.end();
  });

const startApp = async (env: Record<string, string>): Promise<{ port: number; exit: Promise<number | null>; output: () => string }> => {
  const port = await freePort();
  let out = '';
  const proc = spawn(process.execPath, [SERVER], { env: { ...process.env, PORT: String(port), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  await waitForOutput(() => out, 'listening');
  return { port, exit, output: () => out };
};

const waitForOutput = async (output: () => string, text: string): Promise<void> => {
  const deadline = Date.now() + 10_000;
  while (!output().includes(text)) {
    if (Date.now() > deadline) throw new Error(`server.js never said "${text}": ${output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
});

describe('examples/blue-green/app/server.js', () => {
  it('answers its color and version, and 200 on /health', async () => {
    const app = await startApp({ COLOR: 'green', VERSION: '7' });
    expect(await get(app.port, '/')).toEqual({ status: 200, color: 'green', body: 'green 7\n' });
    expect((await get(app.port, '/health')).status).toBe(200);
    expect((await get(app.port, '/nope')).status).toBe(404);
  });

  it('reports unhealthy while $UNHEALTHY_FILE exists', async () => {
    const app = await startApp({ COLOR: 'blue', UNHEALTHY_FILE: SERVER });
    expect((await get(app.port, '/health')).status).toBe(503);
    expect((await get(app.port, '/')).status).toBe(200);
  });

  it('on SIGTERM stops accepting, finishes the request in flight, and exits 0', async () => {
    const app = await startApp({ COLOR: 'blue' });
    const inFlight = get(app.port, '/slow?ms=1500');
    await waitForOutput(app.output, 'slow request');
    child?.kill('SIGTERM');
    await waitForOutput(app.output, 'draining');
    await expect(get(app.port, '/')).rejects.toThrow(/ECONNREFUSED|ECONNRESET/);
    expect(await inFlight).toEqual({ status: 200, color: 'blue', body: 'blue 1\n' });
    expect(await app.exit).toBe(0);
  });

  it('refuses to start without a valid PORT', async () => {
    const proc = spawn(process.execPath, [SERVER], { env: { ...process.env, PORT: 'x' }, stdio: 'ignore' });
    child = proc;
    expect(await new Promise((r) => proc.on('exit', r))).toBe(2);
  });
});
