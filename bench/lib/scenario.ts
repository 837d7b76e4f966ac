// One measured case: wrk loads the proxy while the live color is switched N
// times. Each switch is timed from the request (the etcd write, or the
// direct render and signal) until a fresh connection gets the new color,
// and the next one waits for that, so every switch really happened while
// requests were in flight.
import { httpGet } from '../../test/harness/proxy-process.js';
import type { ProxyServer } from '../../test/harness/proxy-process.js';
import { sleep, waitFor } from '../../test/harness/wait.js';
import { summarize } from '../measure/stats.js';
import type { Backend, Color } from './backends.js';
import { createDirectSwitcher } from './direct-switcher.js';
import { exampleTemplate } from './example-resource.js';
import { discardLayout, prepareProxy, proxyLogTail, startProxy, type ProxyKind } from './proxies.js';
import type { SwitchNotes, Switcher, Via } from './switcher.js';
import { createSwitchyardSwitcher } from './switchyard-switcher.js';
import { startWrk, type WrkResult } from './wrk.js';

export type ConnectionMode = 'close' | 'keepalive';

export interface ScenarioOptions {
  proxy: ProxyKind;
  mode: ConnectionMode;
  via: Via;
  switches: number;
  /** Pause between two switches, after the previous one is visible. */
  intervalMs: number;
  /** How long one switch may take to show before the case fails. */
  switchTimeoutMs: number;
  threads: number;
  connections: number;
  /** Upper bound of the whole run; wrk stops by itself then. */
  maxDurationS: number;
  /** nginx: the client `keepalive_timeout` instead of the example's (e.g. "0"). */
  nginxKeepaliveTimeout?: string;
  /** Directory for every temporary file of the case. */
  root: string;
}

export interface ScenarioResult extends WrkResult, SwitchNotes {
  proxy: ProxyKind;
  nginxKeepaliveTimeout?: string;
  mode: ConnectionMode;
  via: Via;
  switches: number;
  /** From the switch request to a fresh connection getting the new color. */
  switchMedianMs: number;
  switchP90Ms: number;
  switchMaxMs: number;
}

const other = (color: Color): Color => (color === 'blue' ? 'green' : 'blue');

// Flips the color `switches` times under load; returns each switch's latency.
const switchUnderLoad = async (options: ScenarioOptions, server: ProxyServer, switcher: Switcher, apps: Record<Color, Backend>): Promise<number[]> => {
  const latencies: number[] = [];
  let color: Color = 'blue';
  await sleep(1000);
  for (let n = 0; n < options.switches; n++) {
    color = other(color);
    const want = apps[color].body;
    const started = performance.now();
    await switcher.switchTo(color);
    await waitFor(`${options.proxy} to answer ${color} (switch ${n + 1})`,
      async () => (await httpGet(server.port).catch(() => undefined))?.body === want, options.switchTimeoutMs, 10);
    latencies.push(Math.round(performance.now() - started));
    await sleep(options.intervalMs);
  }
  await sleep(1000);
  return latencies;
};

export const runScenario = async (options: ScenarioOptions, apps: Record<Color, Backend>): Promise<ScenarioResult> => {
  const layout = await prepareProxy(options.proxy, options.root);
  const label = `${options.proxy} ${options.mode} via ${options.via}`;
  let switcher: Switcher | undefined;
  try {
    const template = exampleTemplate(options.proxy, options.nginxKeepaliveTimeout);
    switcher =
      options.via === 'switchyard'
        ? await createSwitchyardSwitcher(layout, template, apps, options.root)
        : createDirectSwitcher(layout, template, apps);
    await switcher.init('blue');
    const server = await startProxy(layout, apps.blue.body);
    try {
      await switcher.attach(server);
      const wrk = startWrk({
        url: `http://127.0.0.1:${layout.port}/`, durationS: options.maxDurationS,
        threads: options.threads, connections: options.connections, close: options.mode === 'close',
      });
      let latencies: number[];
      try {
        latencies = await switchUnderLoad(options, server, switcher, apps);
      } catch (err) {
        wrk.stop();
        await wrk.result.catch(() => undefined);
        throw err;
      }
      wrk.stop();
      const totals = await wrk.result;
      const s = summarize(latencies);
      return {
        ...totals, ...switcher.notes(), proxy: options.proxy, mode: options.mode, via: options.via,
        nginxKeepaliveTimeout: options.proxy === 'nginx' ? options.nginxKeepaliveTimeout : undefined,
        switches: latencies.length, switchMedianMs: s.median, switchP90Ms: s.p90, switchMaxMs: s.max,
      };
    } catch (err) {
      throw new Error(`${label}: ${(err as Error).message}\n--- proxy log\n${proxyLogTail(layout)}\n--- switchyard log\n${switcher.logTail()}`, { cause: err });
    } finally {
      await server.stop();
    }
  } finally {
    await switcher?.stop();
    discardLayout(layout);
  }
};
