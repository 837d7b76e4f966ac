// bench/switch-load.ts in a short run: real etcd, ./bin/switchyard in watch
// mode and nginx, under wrk, a few switches per case. The bench itself
// exits 1 when a case that must be lossless lost a request (or a process
// of the run is left behind); this test runs it so that check is exercised,
// and reads its totals to see the switches happened under load.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { failedRequests } from '../../bench/lib/wrk.js';
import type { ScenarioResult } from '../../bench/lib/scenario.js';
import { REPO } from '../harness/cli.js';

const SWITCHES = 4;

const run = (file: string, args: string[], timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    execFile(file, args, { cwd: REPO, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });

describe('bench/switch-load.ts, short', () => {
  beforeAll(async () => {
    // What `npm run bench:switch` does after the build: compile the bench.
    const tsc = await run(join(REPO, 'node_modules/.bin/tsc'), ['-p', 'bench/tsconfig.json'], 180_000);
    expect(tsc.code, tsc.stdout + tsc.stderr).toBe(0);
  }, 200_000);

  it('loses no request while nginx switches colors through switchyard, new connections and keep-alive', async () => {
    // keepalive_timeout 0 is the documented mitigation that makes nginx keep-alive lossless; the bench then requires it.
    const args = ['--switches', String(SWITCHES), '--interval-ms', '100', '--via', 'switchyard', '--proxy', 'nginx', '--mode', 'close,keepalive',
      '--nginx-keepalive-timeout', '0', '--connections', '4', '--threads', '1', '--json'];
    const r = await run(process.execPath, [join(REPO, 'bench/dist/bench/switch-load.js'), ...args], 240_000);
    expect(r.code, `bench exited ${r.code}:\n${r.stderr}\n${r.stdout.slice(-2000)}`).toBe(0);
    const results = JSON.parse(r.stdout.slice(r.stdout.indexOf('['))) as ScenarioResult[];
    console.info(`switch-load: ${JSON.stringify(results.map(({ mode, requests, blue, green, non2xx, switchMedianMs }) => ({ mode, requests, blue, green, non2xx, switchMedianMs })))}`);
    expect(results.map((c) => c.mode)).toEqual(['close', 'keepalive']);
    for (const c of results) {
      expect(c.switches).toBe(SWITCHES);
      expect(c.updates).toBe(SWITCHES); // one render, check, swap and reload per write
      expect(failedRequests(c)).toBe(0);
      // Both colors answered under load, and every answer named one of them.
      expect(c.blue).toBeGreaterThan(0);
      expect(c.green).toBeGreaterThan(0);
      expect(c.blue + c.green).toBe(c.requests);
    }
  }, 300_000);
});
