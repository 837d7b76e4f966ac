// The canary's metric sources against a real HAProxy (stats socket) and a
// real nginx (JSON access log): two apps on distinct ports, green answering
// every 4th request with 500, real requests through the proxy; each color's
// counts must be what the test sent.
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CountsByColor, MetricSource } from '../../src/canary/metric-source.js';
import { MetricSourceError } from '../../src/canary/metrics/errors.js';
import { NGINX_JSON_LOG_FORMAT } from '../../src/canary/metrics/nginx-log-format.js';
import { openMetricSource } from '../../src/canary/metrics/open.js';
import { askStatsSocket } from '../../src/canary/metrics/stats-socket.js';
import { startHaproxy } from '../harness/haproxy.js';
import { startHttpApp, type HttpApp } from '../harness/http-app.js';
import { startNginx } from '../harness/nginx.js';
import { freePort } from '../harness/ports.js';
import { httpGet, type ProxyServer } from '../harness/proxy-process.js';
import { waitFor } from '../harness/wait.js';

let dir: string;
let blue: HttpApp;
let green: HttpApp;
/** Nothing listens there: every connection is refused. */
let deadAddr: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-canary-metrics-'));
  [blue, green] = await Promise.all([startHttpApp('blue'), startHttpApp('green', { failEvery: 4 })]);
  deadAddr = `127.0.0.1:${await freePort()}`;
});
afterAll(async () => {
  await Promise.all([blue?.stop(), green?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

const addrs = () => ({ blue: blue.addr, green: green.addr });

/** Sends n requests through the proxy, one connection each; returns what came back per color. */
const send = async (proxy: ProxyServer, n: number): Promise<CountsByColor> => {
  const seen: CountsByColor = { blue: { requests: 0, failures: 0 }, green: { requests: 0, failures: 0 } };
  for (let i = 0; i < n; i++) {
    const { status, body } = await proxy.fetch('/');
    const color = body.startsWith('blue') ? 'blue' : body.startsWith('green') ? 'green' : undefined;
    if (!color) throw new Error(`unexpected answer ${status} ${body}`);
    seen[color].requests += 1;
    if (status >= 500) seen[color].failures += 1;
  }
  return seen;
};

const total = (c: CountsByColor): number => c.blue.requests + c.green.requests;

describe('haproxy:SOCKET[:BACKEND]', () => {
  let haproxy: ProxyServer;
  let socket: string;
  let source: MetricSource;
  let deadPort: number;
  beforeAll(async () => {
    socket = join(dir, 'admin.sock');
    deadPort = await freePort();
    // Servers named s1/s2: they are found by address. Backend `other` has a
    // server named blue that is never used, and BACKEND leaves it out. A
    // second frontend leads to a server that refuses every connection.
    const fragment = [
      `backend app\n    balance roundrobin\n    server s1 ${blue.addr}\n    server s2 ${green.addr}`,
      `backend other\n    server blue 127.0.0.1:9`,
      `frontend fe_dead\n    bind 127.0.0.1:${deadPort}\n    default_backend dead`,
      `backend dead\n    retries 1\n    server s3 ${deadAddr}\n    server s4 ${blue.addr} weight 0\n`,
    ].join('\n');
    haproxy = await startHaproxy({ fragmentPath: join(dir, 'haproxy-app.cfg'), fragment, readyBody: 'blue', global: `    stats socket ${socket} mode 600 level admin` });
    source = await openMetricSource({ kind: 'haproxy', socket, backend: 'app' }, addrs());
  });
  afterAll(async () => {
    await source?.close();
    await haproxy?.stop();
  });

  it('counts each color\'s requests and 500s since mark()', async () => {
    await source.mark();
    const sent = await send(haproxy, 40);
    expect(sent.green.failures).toBeGreaterThan(0);
    expect(await source.read()).toEqual(sent);
    // read() is cumulative since mark(); mark() starts again from zero.
    const more = await send(haproxy, 6);
    expect(total(await source.read())).toBe(46);
    await source.mark();
    expect(await source.read()).toEqual({ blue: { requests: 0, failures: 0 }, green: { requests: 0, failures: 0 } });
    expect(total(more)).toBe(6);
  });

  it('a refused connection is one failed request of its color, however often HAProxy retried it', async () => {
    const s = await openMetricSource({ kind: 'haproxy', socket, backend: 'dead' }, { blue: blue.addr, green: deadAddr });
    await s.mark();
    for (let i = 0; i < 3; i++) expect((await httpGet(deadPort)).status).toBe(503);
    expect(await s.read()).toEqual({ blue: { requests: 0, failures: 0 }, green: { requests: 3, failures: 3 } });
    await s.close();
  });

  it('counts from zero after a reload (new worker, counters reset)', async () => {
    const pidOf = async () => /Pid: (\d+)/.exec(await askStatsSocket(socket, 'show info'))?.[1];
    await source.mark();
    await send(haproxy, 8);
    const before = await pidOf();
    process.kill(haproxy.pid, 'SIGUSR2');
    await waitFor('a new HAProxy worker on the stats socket', async () => (await pidOf().catch(() => before)) !== before, 20_000, 100);
    const after = await send(haproxy, 6);
    expect(await source.read()).toEqual(after);
  });

  it('names the socket, the backend or the missing color when it cannot be used', async () => {
    const missing = join(dir, 'nope.sock');
    await expect(openMetricSource({ kind: 'haproxy', socket: missing }, addrs())).rejects.toThrow(
      new RegExp(`HAProxy stats socket ${missing}: open failed: .*ENOENT.*stats socket ${missing}`),
    );
    await expect(openMetricSource({ kind: 'haproxy', socket, backend: 'web' }, addrs())).rejects.toThrow(/no backend "web" with servers \(backends with servers: app, dead, other\)/);
    const err = await openMetricSource({ kind: 'haproxy', socket, backend: 'app' }, { blue: blue.addr, green: '127.0.0.1:1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MetricSourceError);
    expect((err as Error).message).toContain('no server for green (address 127.0.0.1:1, or named green); servers: app/s1');
  });
});

describe('nginx-log:FILE', () => {
  let nginx: ProxyServer;
  let log: string;
  let source: MetricSource;
  beforeAll(async () => {
    log = join(dir, 'access.json.log');
    // The dead server is tried, refuses, and nginx retries on the next one:
    // the log names both attempts ("DEAD, BLUE" with "502, 200").
    const fragment = `upstream app {\n    server ${blue.addr};\n    server ${green.addr};\n    server ${deadAddr} max_fails=0;\n}\n`;
    nginx = await startNginx({
      fragmentPath: join(dir, 'nginx-app.conf'),
      fragment,
      readyBody: 'blue',
      accessLog: `${NGINX_JSON_LOG_FORMAT}\n    access_log ${log} switchyard_json;`,
    });
    source = await openMetricSource({ kind: 'nginx-log', file: log }, addrs());
  });
  afterAll(async () => {
    await source?.close();
    await nginx?.stop();
  });

  it('counts each color\'s requests and 500s appended since mark()', async () => {
    await source.mark();
    const sent = await send(nginx, 40);
    expect(sent.green.failures).toBeGreaterThan(0);
    expect(await source.read()).toEqual(sent);
    await source.mark();
    expect(total(await source.read())).toBe(0);
  });

  it('follows the log across a rotation (rename, then USR1 reopens the path)', async () => {
    await source.mark();
    const a = await send(nginx, 5);
    renameSync(log, `${log}.1`);
    const b = await send(nginx, 3); // still written to the renamed file
    process.kill(nginx.pid, 'SIGUSR1');
    await waitFor('nginx to reopen its log', () => existsSync(log), 10_000);
    const c = await send(nginx, 4);
    const counted = await source.read();
    expect(total(counted)).toBe(total(a) + total(b) + total(c));
    expect(counted.green.failures).toBe(a.green.failures + b.green.failures + c.green.failures);
  });

  it('a retry counts for each upstream tried: refused by one, answered by the next', async () => {
    const s = await openMetricSource({ kind: 'nginx-log', file: log }, { blue: blue.addr, green: deadAddr });
    await s.mark();
    const sent = await send(nginx, 12);
    const counted = await s.read();
    // Round robin over three servers: the dead one was tried, and failed, about a third of the time.
    expect(counted.green.requests).toBeGreaterThan(0);
    expect(counted.green.failures).toBe(counted.green.requests);
    expect(counted.blue).toEqual(sent.blue);
    await s.close();
  });

  it('names the file when it is missing or not in the JSON format', async () => {
    const missing = join(dir, 'none.log');
    await expect(openMetricSource({ kind: 'nginx-log', file: missing }, addrs())).rejects.toThrow(`nginx access log ${missing}: open failed: ENOENT`);
    await expect(openMetricSource({ kind: 'nginx-log', file: nginx.confPath }, addrs())).rejects.toThrow(/its last line is not a JSON object with status, upstream_addr, upstream_status/);
  });
});
