// One measured run: wrk loads the proxy while the live color is switched N
// times; each switch waits until a fresh connection sees the new color, so
// every one of them really happened while requests were in flight.
import { httpGet } from '../../test/harness/proxy-process.js';
import { sleep, waitFor } from '../../test/harness/wait.js';
import type { Backend, Color } from './backends.js';
import { startBenchProxy, type ProxyKind } from './proxies.js';
import { startWrk, type WrkResult } from './wrk.js';

export type ConnectionMode = 'close' | 'keepalive';

export interface ScenarioOptions {
  proxy: ProxyKind;
  mode: ConnectionMode;
  switches: number;
  /** Pause between two switches, after the previous one is visible. */
  intervalMs: number;
  threads: number;
  connections: number;
  /** Upper bound of the whole run; wrk stops by itself then. */
  maxDurationS: number;
}

export interface ScenarioResult extends WrkResult {
  proxy: ProxyKind;
  mode: ConnectionMode;
  switches: number;
  /** Median time from the reload signal to the new color answering. */
  switchMedianMs: number;
  switchMaxMs: number;
  /** HAProxy: reload signals the master missed and that were sent again. */
  lostSignals: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

export const runScenario = async (options: ScenarioOptions, apps: Record<Color, Backend>): Promise<ScenarioResult> => {
  const proxy = await startBenchProxy(options.proxy, apps, 'blue');
  try {
    const wrk = startWrk({
      url: `http://127.0.0.1:${proxy.port}/`,
      durationS: options.maxDurationS,
      threads: options.threads,
      connections: options.connections,
      close: options.mode === 'close',
    });
    const latencies: number[] = [];
    let switched = 0;
    let lostSignals = 0;
    try {
      await sleep(1000);
      let color: Color = 'blue';
      for (; switched < options.switches; switched++) {
        color = color === 'blue' ? 'green' : 'blue';
        const started = Date.now();
        lostSignals += await proxy.switchTo(color);
        const want = apps[color].body;
        await waitFor(`${options.proxy} to answer ${color}`, async () => (await httpGet(proxy.port).catch(() => undefined))?.body === want, 15_000, 10);
        latencies.push(Date.now() - started);
        await sleep(options.intervalMs);
      }
      await sleep(1000);
    } finally {
      wrk.stop();
    }
    const totals = await wrk.result;
    return {
      ...totals,
      proxy: options.proxy,
      mode: options.mode,
      switches: switched,
      switchMedianMs: median(latencies),
      switchMaxMs: Math.max(0, ...latencies),
      lostSignals,
    };
  } catch (err) {
    throw new Error(`${options.proxy} ${options.mode}: ${(err as Error).message}\n${proxy.logTail()}`, { cause: err });
  } finally {
    await proxy.stop();
  }
};
