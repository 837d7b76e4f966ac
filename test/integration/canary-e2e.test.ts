// bluegreen canary end to end, under wrk: a real etcd, ./bin/switchyard
// watching it and rendering the shipped blue/green example template, the
// real proxy (HAProxy with its stats socket, nginx with the JSON access log),
// two apps. A healthy new color is promoted through 10,50,100 without one
// failed request at the client; a new color answering 5 % of its requests
// with 500 is rolled back at the first step, and its traffic stops.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleTemplate, writeExampleResource } from '../../bench/lib/example-resource.js';
import { prepareProxy, proxyLogTail, startProxy, type ProxyKind, type ProxyLayout } from '../../bench/lib/proxies.js';
import { failedRequests, startWrk, type WrkRun } from '../../bench/lib/wrk.js';
import { runCli, startWatcher, type CliResult, type Watcher } from '../harness/cli.js';
import { startEtcd, type EtcdServer } from '../harness/etcd.js';
import { startHttpApp, type HttpApp } from '../harness/http-app.js';
import type { ProxyServer } from '../harness/proxy-process.js';
import { sleep, waitFor } from '../harness/wait.js';

const INTERVAL_S = 2;

describe.each<ProxyKind>(['haproxy', 'nginx'])('bluegreen canary through %s', (kind) => {
  let root: string;
  let etcd: EtcdServer;
  let blue: HttpApp;
  let green: HttpApp;
  let flaky: HttpApp;
  let layout: ProxyLayout;
  let proxy: ProxyServer | undefined;
  let watcher: Watcher | undefined;
  let wrk: WrkRun | undefined;
  let url: string;
  let metrics: string;
  // A new connection per request: nginx 1.22 drops idle keep-alive connections on a reload, and
  // the lighter load leaves the machine's CPU to the reloads that are measured.
  const close = true;

  const put = (key: string, value: string) => etcd.etcdctl('put', key, value);
  const get = async (key: string) => (await etcd.etcdctl('get', '--print-value-only', key)).trim();
  const weights = async () => (await etcd.etcdctl('get', '--prefix', '/web/weight/')).trim();

  const canary = (): Promise<CliResult> =>
    runCli(
      ['bluegreen', 'canary', '--app', 'web', '--node', etcd.endpoint, '--steps', '10,50,100', '--interval', `${INTERVAL_S}s`,
        '--max-error-rate', '1', '--min-requests', '20', '--metrics', metrics, '--verify-url', url],
      { timeoutMs: 150_000 },
    );

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), `switchyard-canary-e2e-${kind}-`));
    [etcd, blue, green, flaky] = await Promise.all([startEtcd(), startHttpApp('blue'), startHttpApp('green'), startHttpApp('green', { failEvery: 20 })]);
    await put('/web/blue/addr', blue.addr);
    await put('/web/green/addr', green.addr);
    await put('/web/live', 'blue');
    layout = await prepareProxy(kind, root);
    url = `http://${layout.listen}/`;
    metrics = kind === 'haproxy' ? `haproxy:${join(layout.dir, 'admin.sock')}:web_live` : `nginx-log:${join(layout.dir, 'web.json.log')}`;
    const confdir = join(root, 'switchyard');
    writeExampleResource(layout, exampleTemplate(kind), confdir);
    const env = { WEB_LISTEN: layout.listen, WEB_ACCESS_LOG: join(layout.dir, 'web.json.log') };
    const args = ['--confdir', confdir, '--backend', 'etcd', '--node', etcd.endpoint];
    const first = await runCli([...args, '--onetime', '--sync-only'], { env });
    expect(first.code, first.stderr).toBe(0);
    proxy = await startProxy(layout, 'blue');
    watcher = startWatcher(args, { env });
    await watcher.waitFor(/ready; watching/, 60_000);
  }, 180_000);

  afterAll(async () => {
    wrk?.stop();
    await wrk?.result.catch(() => undefined);
    await watcher?.stop();
    await proxy?.stop();
    await Promise.all([blue?.stop(), green?.stop(), flaky?.stop(), etcd?.stop()]);
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('promotes a healthy new color through 10,50,100 with no failed request at the client', async () => {
    wrk = startWrk({ url, durationS: 150, threads: 1, connections: 2, close });
    await sleep(1000);
    const r = await canary();
    // Traffic on the promoted color for a moment, then the totals.
    await sleep(1500);
    wrk.stop();
    const w = await wrk.result;
    wrk = undefined;
    const out = r.stdout + r.stderr;
    console.info(`canary ${kind} promote: wrk ${JSON.stringify(w)}`);
    expect(r.code, `${out}\n${watcher?.output().slice(-3000)}\n${proxyLogTail(layout)}`).toBe(0);
    expect(out).toMatch(/step 1\/3 \(blue 90, green 10\): green \d+ requests, 0 failures/);
    expect(out).toMatch(/step 3\/3 \(blue 0, green 100\): green \d+ requests, 0 failures/);
    expect(out).toContain('canary ok: green is live');
    expect(failedRequests(w)).toBe(0);
    expect(w.blue).toBeGreaterThan(0);
    expect(w.green).toBeGreaterThan(0);
    expect(await get('/web/live')).toBe('green');
    expect(await weights()).toBe('');
  }, 180_000);

  it('rolls a new color answering 5 % with 500 back at the first step: exit 1 with the rate, its traffic stops', async () => {
    await put('/web/live', 'blue');
    await put('/web/green/addr', flaky.addr);
    await proxy!.waitForBody('blue', 30_000);
    wrk = startWrk({ url, durationS: 150, threads: 1, connections: 2, close });
    await sleep(1000);
    const r = await canary();
    const exitedAt = Date.now();
    const out = r.stdout + r.stderr;
    expect(r.code, `${out}\n${watcher?.output().slice(-3000)}`).toBe(1);
    // The first step's numbers and the measured rate, then nothing further.
    const measured = /step 1\/3 \(blue 90, green 10\): green (\d+) requests, (\d+) failures, error rate ([\d.]+)% -> roll back/.exec(out);
    expect(measured, out).not.toBeNull();
    const [, requests, failures, rate] = measured!;
    expect(Number(failures)).toBeGreaterThan(0);
    expect(Number(rate)).toBeCloseTo((100 * Number(failures)) / Number(requests), 1);
    // 1 in 20 of its answers were 500: the rate is about 5 % (only its own requests counted).
    expect(Number(rate)).toBeGreaterThan(2);
    expect(Number(rate)).toBeLessThan(10);
    expect(out).not.toMatch(/step 2\/3/);
    expect(out).toMatch(/canary ROLLED-BACK: .*\nlive is blue \(unchanged\), weights blue 100, green 0/);
    expect(await get('/web/live')).toBe('blue');
    // The weights are written back at once; the proxy serves them once switchyard rendered, checked
    // and reloaded, which on a busy machine takes seconds by itself (this run's step 1 took applyMs
    // to show through the proxy). The new color's last request must come within one interval of
    // that: bounded, with the pipeline's own time as the margin.
    const applyMs = 1000 * Number(/answers from green\n\s+ok \(([\d.]+)s\)/.exec(out)?.[1] ?? NaN);
    expect(applyMs).toBeGreaterThanOrEqual(0);
    const boundMs = INTERVAL_S * 1000 + applyMs;
    let seen = flaky.served.requests;
    let lastAt = exitedAt;
    while (Date.now() - exitedAt < boundMs + 3000) {
      await sleep(50);
      if (flaky.served.requests !== seen) [seen, lastAt] = [flaky.served.requests, Date.now()];
    }
    wrk.stop();
    const w = await wrk.result;
    wrk = undefined;
    console.info(`canary ${kind} rollback: rate ${rate}% (${failures}/${requests}), last request to the new color ${lastAt - exitedAt} ms after the exit (step 1 applied in ${applyMs} ms), wrk ${JSON.stringify(w)}`);
    expect(lastAt - exitedAt).toBeLessThanOrEqual(boundMs);
    expect(w.blue).toBeGreaterThan(0);
  }, 180_000);
});
