// Load test of lossless switching: wrk through nginx and HAProxy (loopback
// only) while the live color flips N times, with a new connection per
// request and with keep-alive. By default every switch goes the real way:
// one write of /web/live to a real etcd, which ./bin/switchyard (watch mode,
// the example resource) renders, checks, swaps in and reloads; `--via direct`
// renders and signals the proxy from the bench instead, for comparison.
// Prints requests, non-2xx answers, socket errors and switch latencies per
// case; exits 1 when a case that must be lossless lost requests, or when a
// process is left behind.
//
//   npm run build && npm run bench:switch -- [--switches 100] [--interval-ms 100]
//        [--via switchyard,direct] [--proxy nginx,haproxy] [--mode close,keepalive]
//        [--connections 16] [--threads 2] [--nginx-keepalive-timeout 0] [--json]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { listProcesses } from '../test/harness/processes.js';
import { startBackend, type Backend, type Color } from './lib/backends.js';
import type { ProxyKind } from './lib/proxies.js';
import { runScenario, type ConnectionMode, type ScenarioResult } from './lib/scenario.js';
import type { Via } from './lib/switcher.js';
import { failedRequests } from './lib/wrk.js';
import { keepHistoryInTemp } from './measure/history-dir.js';

// nginx 1.22 closes idle keep-alive connections on reload; that case is measured, not required,
// unless client keep-alive is off (the documented mitigation).
const mayLose = (r: ScenarioResult): boolean => r.proxy === 'nginx' && r.mode === 'keepalive' && r.nginxKeepaliveTimeout !== '0';

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

const COLUMNS: Array<[string, (r: ScenarioResult) => string | number]> = [
  ['via', (r) => r.via], ['proxy', (r) => r.proxy],
  ['mode', (r) => (r.nginxKeepaliveTimeout === undefined ? r.mode : `${r.mode}, keepalive_timeout ${r.nginxKeepaliveTimeout}`)], ['switches', (r) => r.switches],
  ['requests', (r) => r.requests], ['non2xx', (r) => r.non2xx], ['connect', (r) => r.connect], ['read', (r) => r.read],
  ['write', (r) => r.write], ['timeout', (r) => r.timeout], ['blue/green', (r) => `${r.blue}/${r.green}`],
  ['switch ms p50/p90/max', (r) => `${r.switchMedianMs}/${r.switchP90Ms}/${r.switchMaxMs}`],
  ['updates', (r) => r.updates], ['errors', (r) => r.errors],
  ['check/reload ms', (r) => `${Math.round(r.checkMedianMs)}/${Math.round(r.reloadMedianMs)}`], ['resent', (r) => r.lostSignals],
];

const printRow = (cells: Array<string | number>): void => console.log(`| ${cells.join(' | ')} |`);

// Processes of this run still alive: children of the bench, or anything started with a path under root.
const leftovers = (root: string): string =>
  listProcesses()
    .filter((p) => p.pid !== process.pid && (p.ppid === process.pid || p.cmdline.includes(root)))
    .map((p) => `${p.pid} ${p.cmdline}`)
    .join('\n');

const USAGE = `npm run bench:switch -- [--switches 100] [--interval-ms 100]
     [--via switchyard,direct] [--proxy nginx,haproxy] [--mode close,keepalive]
     [--connections 16] [--threads 2] [--nginx-keepalive-timeout 0] [--json]`;

const main = async (): Promise<number> => {
  const { values } = parseArgs({
    options: {
      switches: { type: 'string', default: '100' },
      'interval-ms': { type: 'string', default: '100' },
      via: { type: 'string', default: 'switchyard' },
      proxy: { type: 'string', default: 'nginx,haproxy' },
      mode: { type: 'string', default: 'close,keepalive' },
      connections: { type: 'string', default: '16' },
      threads: { type: 'string', default: '2' },
      // The example template's client keep-alive timeout for nginx, e.g. 0 to measure the mitigation.
      'nginx-keepalive-timeout': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  keepHistoryInTemp();
  const switches = positive(values.switches, 'switches');
  const intervalMs = positive(values['interval-ms'], 'interval-ms');
  const vias = list<Via>(values.via, ['switchyard', 'direct'], 'via');
  const proxies = list<ProxyKind>(values.proxy, ['nginx', 'haproxy'], 'proxy');
  const modes = list<ConnectionMode>(values.mode, ['close', 'keepalive'], 'mode');
  const switchTimeoutMs = 20_000;
  const root = mkdtempSync(join(tmpdir(), 'switchyard-bench-switch-'));
  const base = {
    switches, intervalMs, switchTimeoutMs, root,
    nginxKeepaliveTimeout: values['nginx-keepalive-timeout'],
    connections: positive(values.connections, 'connections'),
    threads: positive(values.threads, 'threads'),
    // wrk's own bound, far above a normal run: a switch usually shows within a second.
    maxDurationS: Math.ceil((switches * (intervalMs + switchTimeoutMs)) / 1000) + 30,
  };

  const apps: Partial<Record<Color, Backend>> = {};
  const results: ScenarioResult[] = [];
  try {
    apps.blue = await startBackend('blue');
    apps.green = await startBackend('green');
    const pair = { blue: apps.blue, green: apps.green };
    if (!values.json) {
      printRow(COLUMNS.map(([name]) => name));
      printRow(COLUMNS.map(() => '---'));
    }
    for (const via of vias) {
      for (const proxy of proxies) {
        for (const mode of modes) {
          const result = await runScenario({ ...base, via, proxy, mode }, pair);
          results.push(result);
          if (!values.json) printRow(COLUMNS.map(([, cell]) => cell(result)));
        }
      }
    }
  } finally {
    await Promise.all(Object.values(apps).map((app) => app.stop()));
    const left = leftovers(root);
    rmSync(root, { recursive: true, force: true });
    if (left) {
      console.error(`LEFT RUNNING:\n${left}`);
      process.exitCode = 1;
    }
  }
  if (values.json) console.log(JSON.stringify(results, null, 2));
  let code = 0;
  for (const r of results) {
    if (!mayLose(r) && failedRequests(r) > 0) {
      console.error(`LOST: ${r.via} ${r.proxy} ${r.mode}: ${failedRequests(r)} failed requests over ${r.switches} switches`);
      code = 1;
    }
  }
  return code;
};

main().then(
  (code) => process.exit(process.exitCode ?? code),
  (err: unknown) => {
    // A flag parseArgs refused: its message and the usage, not a stack.
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS_') === true) console.error(`${(err as Error).message}\n${USAGE}`);
    else console.error(err);
    process.exit(2);
  },
);
