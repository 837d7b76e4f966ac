// switchyard side by side with the tools it replaces, on the same resources
// and the same servers: confd (etcd v3) and consul-template (Consul).
//
//   npm run bench:peers [-- --runs 10 --changes 500 --no-consul --no-etcd --only onetime,watch]
//
// confd and consul-template come from the build scripts in ../shared/peers/
// (or SWITCHYARD_PEERS_DIR), which cache them under ~/.cache/peers/bin (or
// SWITCHYARD_PEERS_BIN). The bench starts its own etcd and Consul on free
// loopback ports and stops them, and every tool it ran, by PID. Every output
// compared must be byte-identical between the tools; the bench fails if not.
// It prints one table and writes bench/results/peers.json.
// SWITCHYARD_BENCH_BASELINE=/other/checkout/bin/switchyard adds a column
// for another build in the one-shot rows, interleaved with this one.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { startConsul, type ConsulServer } from '../test/harness/consul.js';
import { startEtcd, type EtcdServer } from '../test/harness/etcd.js';
import { compileTemplateSource, renderTemplate } from '../src/template/engine.js';
import { checkFlags, intFlag, stringFlag } from './measure/args.js';
import { keepHistoryInTemp } from './measure/history-dir.js';
import { connectEtcd, putAll } from './measure/etcd-keys.js';
import { waitForContent } from './measure/files.js';
import { CLI, REPO_ROOT, requireBuiltCli } from './measure/repo.js';
import { summarize } from './measure/stats.js';
import { ensurePeer, measuredRun, rssOf, startDaemon, type Daemon, type RunSample } from './measure/peer-process.js';

checkFlags('npm run bench:peers [-- --runs 10 --changes 500 --no-consul --no-etcd --only floors,onetime,watch,load,render]', ['runs', 'changes', 'only'], ['no-consul', 'no-etcd']);
keepHistoryInTemp();
const runs = intFlag('runs', 10);
/** --no-consul leaves out the Consul rows (and consul-template), e.g. where Consul is not built yet. */
const withConsul = !process.argv.includes('--no-consul');
/** --no-etcd leaves out the etcd rows (and confd). */
const withEtcd = !process.argv.includes('--no-etcd');
const changes = intFlag('changes', 500);
/**
 * --only floors,onetime,watch,load,render runs just those groups of rows:
 * floors = `node -e 0` and `require('etcd3')`, onetime = the one-shots, watch =
 * idle RSS and change → file, load = the 10,000-key daemons under 100
 * changes/s, render = in-process renders.
 */
const ROW_GROUPS = ['floors', 'onetime', 'watch', 'load', 'render'] as const;
const only = stringFlag('only')?.split(',') ?? [...ROW_GROUPS];
for (const g of only) if (!(ROW_GROUPS as readonly string[]).includes(g)) throw new Error(`--only: unknown row group ${JSON.stringify(g)} (one of ${ROW_GROUPS.join(', ')})`);
const want = (group: (typeof ROW_GROUPS)[number]): boolean => only.includes(group);
const SEA = join(REPO_ROOT, `dist/switchyard-${process.platform}-${process.arch}`);
const NODE = process.execPath;
/** Another build's bin/switchyard (e.g. an older checkout's), run beside this one in every row. */
const BASELINE = process.env['SWITCHYARD_BENCH_BASELINE'];

// One template per tool and resource; the outputs must match byte for byte.
// `gets` lists key=value in key order, `getvs` the sorted values.
const GO_GETS = (prefix: string): string => `{{range gets "${prefix}/*"}}{{.Key}}={{.Value}}\n{{end}}`;
const HBS_GETS = (prefix: string): string => `{{#each (gets "${prefix}/*")}}{{key}}={{value}}\n{{/each}}`;
const GO_GETVS = (prefix: string): string => `upstream pool {\n{{range getvs "${prefix}/*"}}    server {{.}};\n{{end}}}\n`;
const HBS_GETVS = (prefix: string): string => `upstream pool {\n{{#each (getvs "${prefix}/*")}}    server {{this}};\n{{/each}}}\n`;
const CT_LS = (prefix: string): string => `upstream pool {\n{{range ls "${prefix}"}}    server {{.Value}};\n{{end}}}\n`;
const HBS_LS = (prefix: string): string => `upstream pool {\n{{#each (gets "/${prefix}/*")}}    server {{value}};\n{{/each}}}\n`;

const pad = (i: number): string => String(i).padStart(5, '0');
const addr = (i: number, port = 8080): string => `10.${(i >> 8) & 255}.${i & 255}.1:${port}`;
const keySet = (prefix: string, n: number): Map<string, string> => new Map(Array.from({ length: n }, (_, i) => [`${prefix}/k${pad(i)}`, addr(i)]));

interface ToolDir {
  confdir: string;
  outs: string[];
}

/** A confdir with one resource per template, in confd's layout (switchyard reads the same). */
const writeConfdir = (dir: string, ext: string, keys: string, templates: string[]): ToolDir => {
  mkdirSync(join(dir, 'conf.d'), { recursive: true });
  mkdirSync(join(dir, 'templates'), { recursive: true });
  mkdirSync(join(dir, 'out'), { recursive: true });
  const outs = templates.map((text, i) => {
    const dest = join(dir, 'out', `r${i}.conf`);
    writeFileSync(join(dir, 'templates', `r${i}.${ext}`), text);
    writeFileSync(join(dir, 'conf.d', `r${i}.toml`), `[template]\nsrc = "r${i}.${ext}"\ndest = "${dest}"\nkeys = ["${keys}"]\nmode = "0644"\n`);
    return dest;
  });
  return { confdir: dir, outs };
};

const clearOutputs = (dirs: ToolDir[]): void => {
  for (const d of dirs) for (const o of d.outs) rmSync(o, { force: true });
};

/** Throws unless every tool wrote the same bytes for each resource. */
const sameOutputs = (what: string, dirs: [string, ToolDir][]): void => {
  const [first, ...rest] = dirs;
  if (!first) return;
  first[1].outs.forEach((out, i) => {
    const expected = readFileSync(out, 'utf8');
    if (expected.length === 0) throw new Error(`${what}: ${first[0]} wrote an empty ${out}`);
    for (const [name, d] of rest) {
      const actual = readFileSync(d.outs[i] ?? '', 'utf8');
      if (actual !== expected) throw new Error(`${what}: ${name}'s ${d.outs[i]} differs from ${first[0]}'s ${out}`);
    }
  });
};

interface OwnDaemon {
  daemon: Daemon;
  dir: ToolDir;
}

const mapOwn = <T>(own: Record<string, OwnDaemon>, f: (o: OwnDaemon) => T): Record<string, T> =>
  Object.fromEntries(Object.entries(own).map(([k, o]) => [k, f(o)]));

interface Row {
  measure: string;
  unit: string;
  values: Record<string, number | undefined>;
  /** Column the ratios are against (switchyard ÷ it). */
  peer?: string;
}

const fmt = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const rows: Row[] = [];
const record = (row: Row): void => {
  rows.push(row);
  const values = Object.entries(row.values).map(([k, v]) => `${k} ${fmt(v)}`);
  process.stderr.write(`  ${row.measure}: ${values.join(', ')} ${row.unit}\n`);
};
const median = (xs: number[]): number => summarize(xs).median;
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
};

/** Interleaved runs of each command; medians of wall time and peak RSS. */
const oneShots = async (
  label: string,
  tools: Record<string, string[]>,
  dirs: Record<string, ToolDir>,
  peer: string,
): Promise<void> => {
  // The runtime's floor, interleaved with the tools so it sees the same load.
  const commands: Record<string, string[]> = { node: [NODE, '-e', '0'], ...tools };
  const samples: Record<string, RunSample[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let i = 0; i <= runs; i++) {
    for (const [name, argv] of Object.entries(commands)) {
      const dir = dirs[name];
      if (dir) clearOutputs([dir]);
      const s = await measuredRun(argv);
      if (s.code !== 0) throw new Error(`${label}: ${argv.join(' ')} exited ${s.code}:\n${s.stderr}`);
      if (i > 0) samples[name]?.push(s); // the first round warms the page cache
    }
  }
  sameOutputs(label, Object.entries(dirs));
  const values = (f: (s: RunSample) => number): Record<string, number> =>
    Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v.map(f))]));
  record({ measure: `${label}, wall (median)`, unit: 'ms', values: values((s) => s.ms), peer });
  record({ measure: `${label}, CPU user+sys (median)`, unit: 'ms', values: values((s) => s.cpuMs), peer });
  record({ measure: `${label}, peak RSS`, unit: 'MB', values: values((s) => s.rssMb), peer });
};

/** Changes one key `changes` times; time from the write returning to the file showing it. */
const changeToFile = async (
  label: string,
  daemons: Record<string, { daemon: Daemon; out: string }>,
  write: (value: string) => Promise<void>,
  peer: string,
): Promise<void> => {
  const lat: Record<string, number[]> = Object.fromEntries(Object.keys(daemons).map((k) => [k, []]));
  for (let i = 0; i < changes; i++) {
    const value = addr(7, 20_000 + i);
    const started = process.hrtime.bigint();
    const seen = Object.entries(daemons).map(async ([name, { out }]) => {
      await waitForContent(out, value, 10_000);
      lat[name]?.push(Number(process.hrtime.bigint() - started) / 1e6);
    });
    await write(value);
    await Promise.all(seen);
    await new Promise((r) => setTimeout(r, 20)); // one change at a time, as an operator makes them
  }
  for (const [stat, f] of [
    ['p50', (xs: number[]) => pct(xs, 50)],
    ['p99', (xs: number[]) => pct(xs, 99)],
    ['max', (xs: number[]) => Math.max(...xs)],
  ] as const) {
    record({ measure: `${label}, ${stat} of ${changes}`, unit: 'ms', values: Object.fromEntries(Object.entries(lat).map(([k, v]) => [k, f(v)])), peer });
  }
};


const printRows = (columns: string[]): void => {
  const header = ['measure', ...columns, 'switchyard ÷ peer', 'switchyard ÷ node -e 0', ...(BASELINE ? ['switchyard ÷ baseline'] : [])];
  const lines = rows.map((r) => {
    const peerValue = r.peer ? r.values[r.peer] : undefined;
    const own = r.values['switchyard'];
    const ratio = peerValue && own !== undefined ? `${(own / peerValue).toFixed(2)}× ${r.peer}` : '';
    const nodeValue = r.peer ? r.values['node'] : undefined;
    const overNode = nodeValue && own !== undefined ? `${(own / nodeValue).toFixed(2)}×` : '';
    const base = r.values['baseline'];
    const overBase = BASELINE ? [base && own !== undefined ? `${(own / base).toFixed(2)}×` : ''] : [];
    return [`${r.measure} (${r.unit})`, ...columns.map((c) => fmt(r.values[c])), ratio, overNode, ...overBase];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]?.length ?? 0)));
  const show = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(show(header));
  console.log(show(widths.map((w) => '-'.repeat(w))));
  for (const l of lines) console.log(show(l));
};

const main = async (): Promise<void> => {
  requireBuiltCli();
  const confd = withEtcd ? await ensurePeer('confd', 'build-confd.sh') : '';
  const consulTemplate = withConsul ? await ensurePeer('consul-template', 'build-consul-template.sh') : '';
  const sea = existsSync(SEA) ? SEA : undefined;
  const work = mkdtempSync(join(tmpdir(), 'switchyard-bench-peers-'));
  let etcd: EtcdServer | undefined;
  let consul: ConsulServer | undefined;
  const daemons: Daemon[] = [];
  const switchyard = (...args: string[]): string[] => [NODE, CLI, ...args];
  /** switchyard's watch daemon on one confdir, and the baseline build's beside it on another; ready when both are. */
  const ownDaemons = async (id: string, backendArgs: string[], keys: string, templates: string[], timeoutMs: number): Promise<Record<string, OwnDaemon>> => {
    const builds: [string, string][] = [['switchyard', CLI], ...(BASELINE ? ([['baseline', BASELINE]] as [string, string][]) : [])];
    const own: Record<string, OwnDaemon> = {};
    for (const [name, bin] of builds) {
      const dir = writeConfdir(join(work, `${id}-${name}`), 'hbs', keys, templates);
      const daemon = startDaemon(name, [NODE, bin, '--watch', ...backendArgs, '--confdir', dir.confdir, '--log-level', 'info']);
      daemons.push(daemon);
      own[name] = { daemon, dir };
    }
    await Promise.all(Object.values(own).map((o) => o.daemon.waitFor(/ready; watching for changes/, timeoutMs)));
    return own;
  };
  try {
    const k20 = keySet('/p20', 20);
    const k10k = keySet('/p10k', 10_000);

    // Floors: the runtime alone, and the runtime with the etcd client loaded.
    const floor: Record<string, RunSample[]> = { 'node -e 0': [], "require('etcd3')": [] };
    for (let i = 0; i <= (want('floors') ? runs : -1); i++) {
      const a = await measuredRun([NODE, '-e', '0']);
      const b = await measuredRun([NODE, '-e', "require('etcd3')"], { cwd: REPO_ROOT });
      if (i > 0) {
        floor['node -e 0']?.push(a);
        floor["require('etcd3')"]?.push(b);
      }
    }
    if (want('floors')) {
    const nodeMs = median(floor['node -e 0']?.map((s) => s.ms) ?? []);
    record({ measure: 'floor: node -e 0, wall (median)', unit: 'ms', values: { node: nodeMs } });
    record({ measure: 'floor: node -e 0, peak RSS', unit: 'MB', values: { node: median(floor['node -e 0']?.map((s) => s.rssMb) ?? []) } });
    record({ measure: "floor: node -e \"require('etcd3')\", wall", unit: 'ms', values: { node: median(floor["require('etcd3')"]?.map((s) => s.ms) ?? []) } });
    record({ measure: "floor: node -e \"require('etcd3')\", peak RSS", unit: 'MB', values: { node: median(floor["require('etcd3')"]?.map((s) => s.rssMb) ?? []) } });
    }

    if (withEtcd && (want('onetime') || want('watch') || want('load'))) {
      etcd = await startEtcd();
      const client = connectEtcd(etcd.endpoint);
      try {
        await putAll(client, k20);
        await putAll(client, k10k);
      } finally {
        client.close();
      }
      // --onetime against etcd: 2 resources (gets and getvs), 20 and 10,000 keys.
      for (const [label, prefix] of want('onetime') ? ([
        ['--onetime, etcd, 20 keys', '/p20'],
        ['--onetime, etcd, 10,000 keys', '/p10k'],
      ] as const) : []) {
        const id = prefix.slice(1);
        const dirs: Record<string, ToolDir> = {
          confd: writeConfdir(join(work, `confd-${id}`), 'tmpl', prefix, [GO_GETS(prefix), GO_GETVS(prefix)]),
          switchyard: writeConfdir(join(work, `sy-${id}`), 'hbs', prefix, [HBS_GETS(prefix), HBS_GETVS(prefix)]),
        };
        if (sea) dirs['executable'] = writeConfdir(join(work, `sea-${id}`), 'hbs', prefix, [HBS_GETS(prefix), HBS_GETVS(prefix)]);
        const commands: Record<string, string[]> = {
          confd: [confd, '-onetime', '-backend', 'etcdv3', '-node', etcd.endpoint, '-confdir', dirs['confd']!.confdir, '-log-level', 'error'],
          switchyard: switchyard('--onetime', '--backend', 'etcd', '--node', etcd.endpoint, '--confdir', dirs['switchyard']!.confdir, '--log-level', 'error'),
        };
        if (sea) commands['executable'] = [sea, '--onetime', '--backend', 'etcd', '--node', etcd.endpoint, '--confdir', dirs['executable']!.confdir, '--log-level', 'error'];
        if (BASELINE) {
          dirs['baseline'] = writeConfdir(join(work, `base-${id}`), 'hbs', prefix, [HBS_GETS(prefix), HBS_GETVS(prefix)]);
          commands['baseline'] = [NODE, BASELINE, '--onetime', '--backend', 'etcd', '--node', etcd.endpoint, '--confdir', dirs['baseline'].confdir, '--log-level', 'error'];
        }
        await oneShots(label, commands, dirs, 'confd');
      }

      // Watch daemons, etcd, 20 keys: idle RSS, then change → file.
      if (want('watch')) {
        const cd = writeConfdir(join(work, 'w-confd'), 'tmpl', '/p20', [GO_GETS('/p20')]);
        const c = startDaemon('confd', [confd, '-watch', '-backend', 'etcdv3', '-node', etcd.endpoint, '-confdir', cd.confdir, '-log-level', 'error']);
        daemons.push(c);
        const own = await ownDaemons('w', ['--backend', 'etcd', '--node', etcd.endpoint], '/p20', [HBS_GETS('/p20')], 30_000);
        await waitForContent(cd.outs[0]!, 'k00019', 30_000);
        await new Promise((r) => setTimeout(r, 2000));
        record({ measure: 'watch, etcd, 20 keys: idle RSS', unit: 'MB', values: { confd: rssOf(c.pid).rss, ...mapOwn(own, (o) => rssOf(o.daemon.pid).rss) }, peer: 'confd' });
        const put = connectEtcd(etcd.endpoint);
        try {
          await changeToFile('change → file, etcd, 20 keys', { confd: { daemon: c, out: cd.outs[0]! }, ...mapOwn(own, (o) => ({ daemon: o.daemon, out: o.dir.outs[0]! })) }, async (v) => {
            await put.put('/p20/k00007').value(v);
          }, 'confd');
        } finally {
          put.close();
        }
        sameOutputs('watch, etcd, 20 keys', [['confd', cd], ...Object.entries(mapOwn(own, (o) => o.dir))]);
        await Promise.all([c.stop(), ...Object.values(own).map((o) => o.daemon.stop())]);
      }

      // Watch daemons, etcd, 10,000 keys under 100 changes/s for 10 s: peak RSS.
      if (want('load')) {
        const cd = writeConfdir(join(work, 'l-confd'), 'tmpl', '/p10k', [GO_GETS('/p10k'), GO_GETVS('/p10k')]);
        const c = startDaemon('confd', [confd, '-watch', '-backend', 'etcdv3', '-node', etcd.endpoint, '-confdir', cd.confdir, '-log-level', 'error']);
        daemons.push(c);
        const own = await ownDaemons('l', ['--backend', 'etcd', '--node', etcd.endpoint], '/p10k', [HBS_GETS('/p10k'), HBS_GETVS('/p10k')], 60_000);
        await waitForContent(cd.outs[0]!, 'k09999', 60_000);
        await new Promise((r) => setTimeout(r, 2000));
        record({ measure: 'watch, etcd, 10,000 keys: idle RSS', unit: 'MB', values: { confd: rssOf(c.pid).rss, ...mapOwn(own, (o) => rssOf(o.daemon.pid).rss) }, peer: 'confd' });
        const put = connectEtcd(etcd.endpoint);
        try {
          for (let i = 0; i < 1000; i++) {
            const t = Date.now();
            await put.put(`/p10k/k${pad(i * 7)}`).value(addr(i * 7, 30_000 + i));
            await new Promise((r) => setTimeout(r, Math.max(0, 10 - (Date.now() - t))));
          }
          const last = addr(999 * 7, 30_999);
          // Every output, not only the first: the resources are re-rendered one after the other.
          await Promise.all([...cd.outs, ...Object.values(own).flatMap((o) => o.dir.outs)].map((out) => waitForContent(out, last, 30_000)));
        } finally {
          put.close();
        }
        record({ measure: 'watch, etcd, 10,000 keys, 1,000 changes at 100/s: peak RSS', unit: 'MB', values: { confd: rssOf(c.pid).hwm, ...mapOwn(own, (o) => rssOf(o.daemon.pid).hwm) }, peer: 'confd' });
        sameOutputs('watch, etcd, 10,000 keys', [['confd', cd], ...Object.entries(mapOwn(own, (o) => o.dir))]);
        await Promise.all([c.stop(), ...Object.values(own).map((o) => o.daemon.stop())]);
      }
    }

    if (withConsul && (want('onetime') || want('watch'))) {
      consul = await startConsul();
      const c1k = [...keySet('c1k', 1000)];
      const server = consul;
      for (let i = 0; i < c1k.length; i += 32) await Promise.all(c1k.slice(i, i + 32).map(([k, v]) => server.kvPut(k, v)));

      // -once against Consul: 1,000 keys.
      if (want('onetime')) {
        const ctDir = join(work, 'ct');
        mkdirSync(ctDir, { recursive: true });
        writeFileSync(join(ctDir, 'pool.ctmpl'), CT_LS('c1k'));
        const dirs: Record<string, ToolDir> = {
          'consul-template': { confdir: ctDir, outs: [join(ctDir, 'pool.conf')] },
          switchyard: writeConfdir(join(work, 'sy-c1k'), 'hbs', '/c1k', [HBS_LS('c1k')]),
        };
        if (sea) dirs['executable'] = writeConfdir(join(work, 'sea-c1k'), 'hbs', '/c1k', [HBS_LS('c1k')]);
        const consulAddr = consul.address.replace(/^https?:\/\//, '');
        const commands: Record<string, string[]> = {
          'consul-template': [consulTemplate, '-once', '-consul-addr', consulAddr, '-template', `${join(ctDir, 'pool.ctmpl')}:${join(ctDir, 'pool.conf')}`, '-log-level', 'err'],
          switchyard: switchyard('--onetime', '--backend', 'consul', '--node', consul.address, '--confdir', dirs['switchyard']!.confdir, '--log-level', 'error'),
        };
        if (sea) commands['executable'] = [sea, '--onetime', '--backend', 'consul', '--node', consul.address, '--confdir', dirs['executable']!.confdir, '--log-level', 'error'];
        if (BASELINE) {
          dirs['baseline'] = writeConfdir(join(work, 'base-c1k'), 'hbs', '/c1k', [HBS_LS('c1k')]);
          commands['baseline'] = [NODE, BASELINE, '--onetime', '--backend', 'consul', '--node', consul.address, '--confdir', dirs['baseline'].confdir, '--log-level', 'error'];
        }
        await oneShots('-once / --onetime, Consul, 1,000 keys', commands, dirs, 'consul-template');
      }

      // Watch daemons, Consul, 1,000 keys: idle RSS, then change → file.
      if (want('watch')) {
        const ctDir = join(work, 'w-ct');
        mkdirSync(ctDir, { recursive: true });
        writeFileSync(join(ctDir, 'pool.ctmpl'), CT_LS('c1k'));
        const ct: ToolDir = { confdir: ctDir, outs: [join(ctDir, 'pool.conf')] };
        const consulAddr = consul.address.replace(/^https?:\/\//, '');
        const t = startDaemon('consul-template', [consulTemplate, '-consul-addr', consulAddr, '-template', `${join(ctDir, 'pool.ctmpl')}:${ct.outs[0]!}`, '-log-level', 'err'], 'SIGINT');
        daemons.push(t);
        const own = await ownDaemons('w-c1k', ['--backend', 'consul', '--node', consul.address], '/c1k', [HBS_LS('c1k')], 30_000);
        await waitForContent(ct.outs[0]!, addr(999), 30_000);
        await new Promise((r) => setTimeout(r, 2000));
        record({ measure: 'watch, Consul, 1,000 keys: idle RSS', unit: 'MB', values: { 'consul-template': rssOf(t.pid).rss, ...mapOwn(own, (o) => rssOf(o.daemon.pid).rss) }, peer: 'consul-template' });
        await changeToFile('change → file, Consul, 1,000 keys', { 'consul-template': { daemon: t, out: ct.outs[0]! }, ...mapOwn(own, (o) => ({ daemon: o.daemon, out: o.dir.outs[0]! })) }, (v) => server.kvPut('c1k/k00007', v), 'consul-template');
        sameOutputs('watch, Consul, 1,000 keys', [['consul-template', ct], ...Object.entries(mapOwn(own, (o) => o.dir))]);
        await Promise.all([t.stop(), ...Object.values(own).map((o) => o.daemon.stop())]);
      }
    }

    // Render time in process (switchyard only): gets and getvs over 10,000 keys.
    for (const [name, text] of want('render') ? ([
      ['gets', HBS_GETS('/p10k')],
      ['getvs', HBS_GETVS('/p10k')],
    ] as const) : []) {
      const template = compileTemplateSource(text, `${name}.hbs`);
      const times: number[] = [];
      for (let i = 0; i < 50; i++) {
        const t0 = process.hrtime.bigint();
        await renderTemplate(template, { values: k10k, prefix: '' });
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      record({ measure: `render of ${name} over 10,000 keys (median of 50)`, unit: 'ms', values: { switchyard: median(times.slice(5)) } });
    }

    const columns = ['node', 'confd', 'consul-template', 'switchyard', ...(sea ? ['executable'] : []), ...(BASELINE ? ['baseline'] : [])];
    const machine = `${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}, load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`;
    console.log(`\nswitchyard and its peers (${runs} runs each for one-shots, ${changes} changes; ${machine})`);
    console.log(`switchyard = node bin/switchyard; executable = ${sea ? 'dist/switchyard-linux-x64' : '(not built: npm run package)'}${BASELINE ? `; baseline = node ${BASELINE}` : ''}; ratios are switchyard ÷ the peer in the same row\n`);
    printRows(columns);
    const results = join(REPO_ROOT, 'bench/results');
    mkdirSync(results, { recursive: true });
    writeFileSync(join(results, 'peers.json'), JSON.stringify({ date: new Date().toISOString(), machine, runs, changes, rows }, null, 2) + '\n');
    console.log(`\nwritten: bench/results/peers.json`);
  } finally {
    await Promise.all(daemons.map((d) => d.stop()));
    await consul?.stop();
    await etcd?.stop();
    rmSync(work, { recursive: true, force: true });
  }
};

await main();
