// Load test of lossless switching: wrk through nginx and HAProxy (loopback
// only) while the live color flips N times, with a new connection per
// request and with keep-alive. Prints requests, non-2xx answers and socket
// errors per case; exits 1 when a case that must be lossless lost requests.
//
//   npm run bench:switch -- [--switches 100] [--interval-ms 100]
//        [--proxy nginx,haproxy] [--mode close,keepalive]
//        [--connections 16] [--threads 2] [--json]
import { parseArgs } from 'node:util';
import { startBackend, type Backend, type Color } from './lib/backends.js';
import type { ProxyKind } from './lib/proxies.js';
import { runScenario, type ConnectionMode, type ScenarioResult } from './lib/scenario.js';
import { failedRequests } from './lib/wrk.js';

// nginx 1.22 closes idle keep-alive connections on reload; that case is measured, not required.
const mayLose = (r: ScenarioResult): boolean => r.proxy === 'nginx' && r.mode === 'keepalive';

const list = <T extends string>(value: string, allowed: readonly T[], name: string): T[] => {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    if (!allowed.includes(item as T)) throw new Error(`--${name}: expected ${allowed.join(' or ')}, got "${item}"`);
  }
  return items as T[];
};

const positive = (value: string, name: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name}: expected a positive integer, got "${value}"`);
  return n;
};

const row = (r: ScenarioResult): string =>
  [
    r.proxy.padEnd(8), r.mode.padEnd(10), String(r.switches).padStart(8), String(r.requests).padStart(9),
    String(r.non2xx).padStart(7), String(r.connect).padStart(8), String(r.read).padStart(5), String(r.write).padStart(6),
    String(r.timeout).padStart(8), `${r.blue}/${r.green}`.padStart(13), `${r.switchMedianMs}/${r.switchMaxMs}`.padStart(11),
    `${(r.p99Us / 1000).toFixed(1)}`.padStart(8), String(r.lostSignals).padStart(6),
  ].join(' ');

const HEADER = 'proxy    mode       switches  requests non2xx  connect  read  write  timeout    blue/green  switch ms  p99 ms  resent';

const main = async (): Promise<number> => {
  const { values } = parseArgs({
    options: {
      switches: { type: 'string', default: '100' },
      'interval-ms': { type: 'string', default: '100' },
      proxy: { type: 'string', default: 'nginx,haproxy' },
      mode: { type: 'string', default: 'close,keepalive' },
      connections: { type: 'string', default: '16' },
      threads: { type: 'string', default: '2' },
      json: { type: 'boolean', default: false },
    },
  });
  const switches = positive(values.switches, 'switches');
  const intervalMs = positive(values['interval-ms'], 'interval-ms');
  const proxies = list<ProxyKind>(values.proxy, ['nginx', 'haproxy'], 'proxy');
  const modes = list<ConnectionMode>(values.mode, ['close', 'keepalive'], 'mode');
  const base = {
    switches, intervalMs,
    connections: positive(values.connections, 'connections'),
    threads: positive(values.threads, 'threads'),
    // Generous: a switch normally shows within tens of ms.
    maxDurationS: Math.ceil((switches * (intervalMs + 500)) / 1000) + 10,
  };

  const apps: Partial<Record<Color, Backend>> = {};
  const results: ScenarioResult[] = [];
  try {
    apps.blue = await startBackend('blue');
    apps.green = await startBackend('green');
    const pair = { blue: apps.blue, green: apps.green };
    if (!values.json) console.log(HEADER);
    for (const proxy of proxies) {
      for (const mode of modes) {
        const result = await runScenario({ ...base, proxy, mode }, pair);
        results.push(result);
        if (!values.json) console.log(row(result));
      }
    }
  } finally {
    await Promise.all(Object.values(apps).map((app) => app.stop()));
  }
  if (values.json) console.log(JSON.stringify(results, null, 2));
  const lost = results.filter((r) => !mayLose(r) && failedRequests(r) > 0);
  for (const r of lost) console.error(`LOST: ${r.proxy} ${r.mode}: ${failedRequests(r)} failed requests over ${r.switches} switches`);
  return lost.length > 0 ? 1 : 0;
};

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(2);
  },
);
