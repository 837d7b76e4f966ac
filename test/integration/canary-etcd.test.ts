// bluegreen canary end to end on one host: a real etcd holds live and the
// weights, a real switchyard watcher renders nginx's upstream with the
// bluegreen helper (weights become server weights), nginx logs JSON lines
// the nginx-log source reads, and the two colors are small HTTP apps.
// Covers promotion, status during a canary, a second canary refused, abort
// and SIGTERM mid-canary (weights back to 100/0, live unchanged).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CANARY_UPSTREAM, startCanaryRig, type CanaryRig } from '../harness/canary-rig.js';
import { runCli, startWatcher, type CliResult, type Watcher } from '../harness/cli.js';
import { makeConfdir } from '../harness/confdir.js';
import type { EtcdServer } from '../harness/etcd.js';
import type { NginxServer } from '../harness/nginx.js';
import { freePort } from '../harness/ports.js';
import { waitFor } from '../harness/wait.js';

let rig: CanaryRig;
let etcd: EtcdServer;
let nginx: NginxServer;
let watcher: Watcher;
let statusUrl: string;
const running: Watcher[] = [];

const store = (): string[] => ['--app', 'web', '--node', etcd.endpoint];
const bluegreen = (...args: string[]): Promise<CliResult> => runCli(['bluegreen', ...args, ...store()], { timeoutMs: 90_000 });
const canaryArgs = (...extra: string[]): string[] => [
  'bluegreen', 'canary', ...store(), '--metrics', `nginx-log:${rig.log}`, '--max-error-rate', '1', '--min-requests', '5', ...extra,
];
/** A canary left running in the background (its output can be waited on). */
const startCanary = (...extra: string[]): Watcher => {
  const w = startWatcher(canaryArgs(...extra));
  running.push(w);
  return w;
};

const get = (key: string): Promise<string | undefined> => rig.get(key);
const weights = (): Promise<string> => rig.weights();

/** Which app answered through nginx: n requests, counted by color. */
const sample = async (n: number): Promise<Record<string, number>> => {
  const seen: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const body = (await nginx.fetch('/')).body.trim();
    seen[body] = (seen[body] ?? 0) + 1;
  }
  return seen;
};

beforeAll(async () => {
  rig = await startCanaryRig('canary');
  ({ etcd, nginx } = rig);
  const conf = makeConfdir();
  conf.addResource({ name: 'web', template: CANARY_UPSTREAM, fields: { dest: rig.fragmentPath, prefix: '/web', keys: ['/'], reload_cmd: nginx.reloadCmd } });
  const metricsPort = await freePort();
  statusUrl = `http://127.0.0.1:${metricsPort}`;
  watcher = startWatcher(['--confdir', conf.dir, '--backend', 'etcd', '--node', etcd.endpoint, '--metrics-addr', `127.0.0.1:${metricsPort}`]);
  await watcher.waitFor(/ready; watching/);
  await nginx.fetch('/'); // the log has a line before any source opens it
});

afterEach(async () => {
  for (const w of running.splice(0)) await w.stop();
});

afterAll(async () => {
  await watcher?.stop();
  await rig?.stop();
});

describe('bluegreen canary against etcd, nginx and two apps', () => {
  it('status shows a canary in progress; a second canary is refused naming the runner; abort puts the weights back', async () => {
    const canary = startCanary('--steps', '10,100', '--interval', '60s');
    await canary.waitFor(/measuring green/, 30_000);
    expect(await weights()).toBe('90/10');

    const status = await bluegreen('status', '--json');
    expect(status.code).toBe(0);
    const report = JSON.parse(status.stdout) as { live: string; weights: object; canary: { inProgress: boolean; step: number; from: string; to: string; pid: number; host: string } };
    expect(report).toMatchObject({ live: 'blue', weights: { blue: 90, green: 10 }, canary: { inProgress: true, step: 1, from: 'blue', to: 'green', pid: canary.pid } });
    const text = await bluegreen('status');
    expect(text.stdout).toMatch(new RegExp(`canary in progress: blue -> green, steps 10,100, pid ${canary.pid} on \\S+ since \\S+, step 1/2 \\(blue 90, green 10\\)`));

    // The running daemon's status page and /metrics show it too.
    await waitFor('the status page to show the canary', async () => {
      const doc = (await (await fetch(`${statusUrl}/status.json`)).json()) as { apps: { root: string; canary?: { step: number; pid: number } }[] };
      return doc.apps.find((a) => a.root === '/web')?.canary?.pid === canary.pid;
    }, 20_000);
    expect(await (await fetch(`${statusUrl}/`)).text()).toMatch(/blue → green<\/strong> step 1\/2: blue 90 \/ green 10/);
    const metrics = await (await fetch(`${statusUrl}/metrics`)).text();
    expect(metrics).toContain('switchyard_canary_step{app="/web"} 1');
    expect(metrics).toContain('switchyard_canary_weight{app="/web",color="green"} 10');

    const second = await runCli(canaryArgs('--steps', '100', '--interval', '1s'));
    expect(second.code).toBe(1);
    expect(second.stdout + second.stderr).toMatch(new RegExp(`a canary is already running: pid ${canary.pid} on \\S+ since \\S+, step 1/2`));
    expect(await weights()).toBe('90/10');

    const abort = await bluegreen('abort');
    expect(abort.code).toBe(0);
    expect(abort.stdout).toMatch(/abort ok: stopped the canary .*live is blue \(unchanged\), weights blue 100, green 0/);
    expect(await canary.exited()).toBe(1);
    expect(canary.output()).toMatch(/canary ABORTED: .*aborted: \/web\/canary was changed or removed/);
    expect(await weights()).toBe('100/0');
    expect(await get('/web/live')).toBe('blue');
    expect(await get('/web/canary')).toBeUndefined();
    // nginx takes green out again (weight 0 is down).
    await waitFor('nginx to serve blue only', async () => Object.keys(await sample(6)).join() === 'blue', 20_000);

    const none = await bluegreen('abort');
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/web: canary failed: no canary is running \(\/web\/canary is not set\)/);
  });

  it('SIGTERM mid-canary puts the weights back to 100/0 and exits 1; live unchanged', async () => {
    const canary = startCanary('--steps', '50,100', '--interval', '60s', '--verify-url', `http://127.0.0.1:${nginx.port}/`);
    await canary.waitFor(/measuring green/, 30_000);
    expect(await weights()).toBe('50/50');
    canary.signal('SIGTERM');
    expect(await canary.exited()).toBe(1);
    expect(canary.output()).toMatch(/canary INTERRUPTED: .*interrupted by SIGTERM/);
    expect(canary.output()).toMatch(/live is blue \(unchanged\), weights blue 100, green 0/);
    expect(await weights()).toBe('100/0');
    expect(await get('/web/live')).toBe('blue');
    expect(await get('/web/canary')).toBeUndefined();
  });

  it('promotes 50 -> 100 while requests flow: live becomes green, weights and state cleared; --json gives each step', async () => {
    let flowing = true;
    const traffic = (async () => {
      while (flowing) await nginx.fetch('/').catch(() => undefined);
    })();
    try {
      const r = await runCli(canaryArgs('--steps', '50,100', '--interval', '1s', '--verify-url', `http://127.0.0.1:${nginx.port}/`, '--json'), { timeoutMs: 90_000 });
      expect(r.code, r.stderr).toBe(0);
      const result = JSON.parse(r.stdout) as { ok: boolean; outcome: string; live: string; weights: null; canarySteps: { step: number; percent: number; requests: number; errorRatePercent: number; decision: string }[] };
      expect(result).toMatchObject({ ok: true, outcome: 'promoted', live: 'green', weights: null });
      expect(result.canarySteps.map((s) => [s.step, s.percent, s.decision, s.errorRatePercent])).toEqual([
        [1, 50, 'promote', 0],
        [2, 100, 'promote', 0],
      ]);
      for (const s of result.canarySteps) expect(s.requests).toBeGreaterThanOrEqual(5);
      expect(r.stderr).toMatch(/step 1\/2 \(blue 50, green 50\): green \d+ requests, 0 failures, error rate 0% -> next step/);
    } finally {
      flowing = false;
      await traffic;
    }
    expect(await get('/web/live')).toBe('green');
    expect(await get('/web/previous')).toBe('blue');
    expect(await weights()).toBe('undefined/undefined');
    expect(await get('/web/canary')).toBeUndefined();
  });

  // Runs after the promotion: green is live, the canary moves toward blue.
  it('a store lost mid-canary: keeps trying to put the weights back, and does once etcd returns; exits 1 naming the loss', async () => {
    const canary = startCanary('--steps', '20,100', '--interval', '60s');
    await canary.waitFor(/measuring blue/, 30_000);
    expect(await weights()).toBe('20/80');
    await etcd.kill();
    await canary.waitFor(/putting the weights back failed \(attempt 1\/8\)/, 60_000);
    await etcd.restart();
    expect(await canary.exited()).toBe(1);
    expect(canary.output()).toMatch(/the store was lost while measuring: etcd at /);
    expect(canary.output()).toMatch(/live is green \(unchanged\), weights blue 0, green 100/);
    expect(await weights()).toBe('0/100');
    expect(await get('/web/live')).toBe('green');
    expect(await get('/web/canary')).toBeUndefined();
  });
});
