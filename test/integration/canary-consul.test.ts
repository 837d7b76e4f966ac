// The canary's state and abort path in Consul KV: the weights and the canary
// key are written in Consul transactions, status shows the canary, a second
// canary is refused, abort puts the weights back and the runner stops.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startWatcher, type CliResult, type Watcher } from '../harness/cli.js';
import { kvPath, startConsul, type ConsulServer } from '../harness/consul.js';
import { startHttpApp, type HttpApp } from '../harness/http-app.js';

let dir: string;
let consul: ConsulServer;
let blue: HttpApp;
let green: HttpApp;
let log: string;
let canary: Watcher | undefined;

const store = (): string[] => ['--app', 'web', '--prefix', '/sites', '--backend', 'consul', '--node', consul.address];
const bluegreen = (...args: string[]): Promise<CliResult> => runCli(['bluegreen', ...args, ...store()], { timeoutMs: 60_000 });
const canaryArgs = (...extra: string[]): string[] => [
  'bluegreen', 'canary', ...store(), '--metrics', `nginx-log:${log}`, '--max-error-rate', '1', '--min-requests', '5', ...extra,
];

const kvGet = async (key: string): Promise<string | undefined> => {
  const res = await consul.http('GET', `${kvPath(key)}?raw`);
  return res.status === 200 ? res.body : undefined;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-canary-consul-'));
  log = join(dir, 'access.json.log');
  // One line in the JSON format, as nginx would have written it.
  writeFileSync(log, '{"time":"2026-12-01T00:00:00+00:00","request":"GET / HTTP/1.1","status":"200","upstream_addr":"127.0.0.1:9","upstream_status":"200","request_time":"0.001"}\n');
  [blue, green] = await Promise.all([startHttpApp('blue'), startHttpApp('green')]);
  consul = await startConsul();
  for (const [k, v] of [['/sites/web/live', 'blue'], ['/sites/web/blue/addr', blue.addr], ['/sites/web/green/addr', green.addr]] as const) await consul.kvPut(k, v);
});

afterAll(async () => {
  await canary?.stop();
  await consul?.stop();
  await Promise.all([blue?.stop(), green?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('bluegreen canary with Consul', () => {
  it('status shows the canary, a second one is refused, abort puts the weights back and the runner exits 1', async () => {
    canary = startWatcher(canaryArgs('--steps', '25,100', '--interval', '60s'));
    await canary.waitFor(/measuring green/, 30_000);
    expect([await kvGet('/sites/web/weight/blue'), await kvGet('/sites/web/weight/green')]).toEqual(['75', '25']);

    const status = await bluegreen('status', '--json');
    expect(JSON.parse(status.stdout)).toMatchObject({ live: 'blue', weights: { blue: 75, green: 25 }, canary: { inProgress: true, step: 1, pid: canary.pid } });

    const second = await runCli(canaryArgs('--steps', '100', '--interval', '1s'));
    expect(second.code).toBe(1);
    expect(second.stdout).toMatch(new RegExp(`a canary is already running: pid ${canary.pid} on \\S+ since \\S+, step 1/2 \\(blue 75, green 25\\)`));

    const abort = await bluegreen('abort', '--json');
    expect(abort.code).toBe(0);
    expect(JSON.parse(abort.stdout)).toMatchObject({ ok: true, live: 'blue', weights: { blue: 100, green: 0 } });
    expect(await canary.exited()).toBe(1);
    expect(canary.output()).toMatch(/canary ABORTED/);
    expect([await kvGet('/sites/web/weight/blue'), await kvGet('/sites/web/weight/green')]).toEqual(['100', '0']);
    expect(await kvGet('/sites/web/live')).toBe('blue');
    expect(await kvGet('/sites/web/canary')).toBeUndefined();
    expect((await bluegreen('status')).stdout).not.toMatch(/canary in progress/);
  });
});
