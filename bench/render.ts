// Render time in process, without I/O: the templates a proxy's resource uses,
// over a 10,000-key snapshot.
//
//   npm run bench:render [-- --runs 50] [-- --only haproxy]
//
// Each case is timed two ways: on a new snapshot per render (a Map the
// engine has not seen: what a --onetime run or a watch round pays, the key
// index included) and on the same snapshot again (what one more resource on
// the same snapshot pays). Medians and p90 of --runs renders after 5 untimed
// ones; every text is checked against the expected line count. Wall time and
// CPU time (user + system of the process, GC threads included) are both
// printed: on a loaded machine the CPU time moves far less than the wall time.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileTemplateSource, renderTemplate } from '../src/template/engine.js';
import type { CompiledTemplate } from '../src/template/types.js';
import { checkFlags, intFlag, stringFlag } from './measure/args.js';
import { REPO_ROOT } from './measure/repo.js';
import { printTable, summarize } from './measure/stats.js';

checkFlags('npm run bench:render [-- --runs 50 --only TEXT]   (--only: the cases whose name contains TEXT)', ['runs', 'only']);
const runs = intFlag('runs', 50);
/** `--only TEXT`: the cases whose name contains TEXT (any case), for paired runs of one case. */
const only = stringFlag('only')?.toLowerCase();
const WARMUP = 5;

const pad = (i: number, n = 5): string => String(i).padStart(n, '0');
const addr = (i: number): string => `10.${(i >> 8) & 255}.${i & 255}.1:8080`;

/** 10,000 keys: 10 services of 1,000 servers (/svc/sN/nNNNN) ... */
const services = new Map(Array.from({ length: 10_000 }, (_, i) => [`/svc/s${Math.floor(i / 1000)}/n${pad(i % 1000, 4)}`, addr(i)]));
/** ... 10,000 servers under one prefix ... */
const flat = new Map(Array.from({ length: 10_000 }, (_, i) => [`/p10k/k${pad(i)}`, addr(i)]));
/** ... and the HAProxy example's layout (/apps/api/servers/NAME). */
const haproxyKeys = new Map(Array.from({ length: 10_000 }, (_, i) => [`/apps/api/servers/web-${pad(i)}`, addr(i)]));

const upstream = (helper: 'gets' | 'getvs', pattern: string): string =>
  helper === 'getvs'
    ? `upstream pool {\n{{#each (getvs "${pattern}")}}    server {{this}};\n{{/each}}}\n`
    : `upstream pool {\n{{#each (gets "${pattern}")}}    server {{value}};\n{{/each}}}\n`;

interface Case {
  name: string;
  template: CompiledTemplate;
  values: ReadonlyMap<string, string>;
  prefix: string;
  lines: number;
  /** The target, in ms, of the median on a new snapshot. */
  target?: number;
}

const haproxyTemplate = join(REPO_ROOT, 'examples/etcd-haproxy/templates/backend.cfg.hbs');
const cases: Case[] = [
  { name: 'upstream, 1,000 of 10,000 keys, getvs', template: compileTemplateSource(upstream('getvs', '/svc/s3/*'), 'u1k-getvs.hbs'), values: services, prefix: '/', lines: 1002, target: 2 },
  { name: 'upstream, 1,000 of 10,000 keys, gets', template: compileTemplateSource(upstream('gets', '/svc/s3/*'), 'u1k-gets.hbs'), values: services, prefix: '/', lines: 1002, target: 2 },
  { name: 'upstream, 10,000 servers, getvs', template: compileTemplateSource(upstream('getvs', '/p10k/*'), 'u10k-getvs.hbs'), values: flat, prefix: '/', lines: 10_002, target: 15 },
  { name: 'upstream, 10,000 servers, gets', template: compileTemplateSource(upstream('gets', '/p10k/*'), 'u10k-gets.hbs'), values: flat, prefix: '/', lines: 10_002, target: 15 },
  { name: 'key=value lines, 10,000 keys, gets', template: compileTemplateSource('{{#each (gets "/p10k/*")}}{{key}}={{value}}\n{{/each}}', 'lines-gets.hbs'), values: flat, prefix: '/', lines: 10_000, target: 15 },
  { name: 'HAProxy example backend, 10,000 servers', template: compileTemplateSource(readFileSync(haproxyTemplate, 'utf8'), haproxyTemplate), values: haproxyKeys, prefix: '/apps/api', lines: 10_003, target: 15 },
];

/** Wall and CPU milliseconds of one render. */
const renderMs = async (c: Case, values: ReadonlyMap<string, string>): Promise<[number, number]> => {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const { text } = await renderTemplate(c.template, { values, prefix: c.prefix });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(c0);
  const lines = text.split('\n').length - 1;
  if (lines !== c.lines) throw new Error(`${c.name}: ${lines} lines rendered, ${c.lines} expected`);
  return [ms, (cpu.user + cpu.system) / 1000];
};

const fmt = (v: number): string => `${v.toFixed(2)} ms`;
const rows: string[][] = [];
const results: Record<string, { fresh: number; same: number }> = {};
for (const c of cases.filter((k) => only === undefined || k.name.toLowerCase().includes(only))) {
  const fresh: number[] = [];
  const freshCpu: number[] = [];
  const same: number[] = [];
  const sameCpu: number[] = [];
  for (let i = 0; i < runs + WARMUP; i++) {
    // A copy is a snapshot the engine has not indexed yet.
    const [f, fc] = await renderMs(c, new Map(c.values));
    const [s, sc] = await renderMs(c, c.values);
    if (i >= WARMUP) {
      fresh.push(f);
      freshCpu.push(fc);
      same.push(s);
      sameCpu.push(sc);
    }
  }
  const f = summarize(fresh);
  const fc = summarize(freshCpu);
  const s = summarize(same);
  const sc = summarize(sameCpu);
  results[c.name] = { fresh: fc.median, same: sc.median };
  const verdict = c.target === undefined ? '' : `≤ ${c.target} ms: wall ${f.median <= c.target ? 'met' : 'NOT met'}, CPU ${fc.median <= c.target ? 'met' : 'NOT met'}`;
  rows.push([c.name, fmt(f.median), fmt(f.p90), fmt(fc.median), fmt(s.median), fmt(sc.median), verdict]);
}

const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`\nrender in process, ${runs} renders per case after ${WARMUP} untimed (node ${process.version}, load ${load})\n`);
printTable(['case', 'new snapshot: wall median', 'wall p90', 'CPU median', 'same snapshot: wall median', 'CPU median', 'target (new snapshot, median)'], rows);
const getvs = results['upstream, 10,000 servers, getvs']?.fresh ?? Number.NaN;
for (const name of ['key=value lines, 10,000 keys, gets', 'HAProxy example backend, 10,000 servers', 'upstream, 10,000 servers, gets']) {
  const v = results[name]?.fresh;
  if (v === undefined || Number.isNaN(getvs)) continue;
  console.log(`${name} ÷ upstream getvs (new snapshot, CPU): ${(v / getvs).toFixed(2)}×`);
}
