// How fast `switchyard --onetime` starts and finishes, and which packages
// each kind of run loads. Run: npm run bench:startup [-- --runs N]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT as REPO, requireBuiltCli } from './measure/repo.js';
import { startEtcd, type EtcdServer } from '../test/harness/etcd.js';
import { checkFlags, intFlag } from './measure/args.js';
import { keepHistoryInTemp } from './measure/history-dir.js';
import { connectEtcd, putAll } from './measure/etcd-keys.js';
import { makeScaleFixture, writeKeysDocument } from './measure/fixtures.js';
import { readModuleTrace } from './measure/module-report.js';
import { runNode, runTimed, timeRuns } from './measure/run-timed.js';
import { printTable, summarize, summaryRow, SUMMARY_HEADERS } from './measure/stats.js';

interface Scenario {
  label: string;
  args: string[];
  /** Packages this run has no use for: loading one is a finding. */
  unneeded: string[];
  setup?: () => void;
}

const TRACE_HOOK = join(REPO, 'bench/dist/bench/measure/module-trace.js');
const importOnly = (pkg: string): [string, string[]] => [`import '${pkg}'`, ['--input-type=module', '-e', `await import('${pkg}')`]];
const IMPORT_COSTS: [string, string[]][] = [
  ['node -e 0 (no import)', ['-e', '0']],
  ...['yargs', 'execa', 'diff', 'smol-toml', 'yaml', 'handlebars', 'chokidar', 'etcd3'].map(importOnly),
];
const CLIENT_LIBRARIES = ['etcd3', '@grpc/grpc-js', 'chokidar'];

/** Confdirs made for the scenarios, removed at the end. */
const confdirs: string[] = [];

const fileScenario = (work: string, label: string, resources: number, templates: number): Scenario => {
  const outDir = join(work, `out-${resources}`);
  const fixture = makeScaleFixture({ resources, paths: Math.min(resources, 50), templates, outDir });
  confdirs.push(fixture.confdir);
  const doc = join(work, `keys-${resources}.json`);
  writeKeysDocument(fixture.keys, doc);
  return {
    label,
    args: ['--onetime', '--backend', 'file', '--file', doc, '--confdir', fixture.confdir],
    unneeded: [...CLIENT_LIBRARIES, 'execa', 'diff'],
    // Every run writes every file, as a deploy that changed something does.
    setup: () => rmSync(outDir, { recursive: true, force: true }),
  };
};

const etcdScenario = async (work: string, etcd: EtcdServer): Promise<Scenario> => {
  const outDir = join(work, 'out-etcd');
  const fixture = makeScaleFixture({ resources: 200, paths: 50, templates: 20, outDir });
  confdirs.push(fixture.confdir);
  const client = connectEtcd(etcd.endpoint);
  try {
    await putAll(client, fixture.keys);
  } finally {
    client.close();
  }
  return {
    label: '(d) --onetime, etcd, 200 resources',
    args: ['--onetime', '--backend', 'etcd', '--node', etcd.endpoint, '--confdir', fixture.confdir],
    unneeded: ['consul', 'chokidar', 'execa', 'diff'],
    setup: () => rmSync(outDir, { recursive: true, force: true }),
  };
};

const traceModules = async (work: string, s: Scenario, index: number): Promise<void> => {
  const trace = join(work, `trace-${index}.jsonl`);
  s.setup?.();
  const r = await runTimed(s.args, { nodeArgs: ['--import', TRACE_HOOK], env: { SWITCHYARD_MODULE_TRACE: trace } });
  if (r.code !== 0) throw new Error(`${s.label}: traced run exited ${r.code}:\n${r.stderr}`);
  const report = readModuleTrace(trace, REPO);
  const own = report.files.length - report.dependencyFiles.length;
  console.log(`\n${s.label}: ${report.files.length} files loaded, ${own} of switchyard, ${report.dependencyFiles.length} under node_modules`);
  const packages = [...report.packages].sort((a, b) => b[1] - a[1]).map(([p, n]) => `${p} ${n}`);
  console.log(`  packages (files): ${packages.join(', ') || 'none'}`);
  for (const pkg of s.unneeded) {
    const chains = report.chainsTo(pkg);
    if (chains.length === 0) continue;
    console.log(`  NOT NEEDED but loaded: ${pkg} (${report.packages.get(pkg) ?? 0} files of its own), imported by:`);
    for (const chain of chains) console.log(`    ${chain.join(' → ')}`);
  }
};

const main = async (): Promise<void> => {
  checkFlags('npm run bench:startup [-- --runs 10]', ['runs']);
  keepHistoryInTemp();
  requireBuiltCli();
  const runs = intFlag('runs', 10);
  const work = mkdtempSync(join(tmpdir(), 'switchyard-bench-startup-'));
  let etcd: EtcdServer | undefined;
  try {
    const scenarios: Scenario[] = [
      { label: '(a) --version', args: ['--version'], unneeded: [...CLIENT_LIBRARIES, 'execa', 'diff', 'handlebars', 'smol-toml', 'yaml'] },
      fileScenario(work, '(b) --onetime, file, 1 resource', 1, 1),
      fileScenario(work, '(c) --onetime, file, 200 resources / 20 templates', 200, 20),
    ];
    etcd = await startEtcd();
    scenarios.push(await etcdScenario(work, etcd));

    console.log(`switchyard start-up: ${runs} runs each, wall time from spawn to exit (node ${process.version})\n`);
    const rows: string[][] = [];
    for (const s of scenarios) {
      const run = () => runTimed(s.args);
      await timeRuns(s.label, 1, run, s.setup); // warm the page cache, untimed
      rows.push(summaryRow(s.label, summarize(await timeRuns(s.label, runs, run, s.setup))));
    }
    printTable(SUMMARY_HEADERS, rows);

    console.log('\nWhat importing one package costs (node alone, then node importing it; same runs):\n');
    const importRows: string[][] = [];
    for (const [label, argv] of IMPORT_COSTS) {
      const run = () => runNode(argv);
      await timeRuns(label, 1, run);
      importRows.push(summaryRow(label, summarize(await timeRuns(label, runs, run))));
    }
    printTable(SUMMARY_HEADERS, importRows);

    console.log('\nModules loaded (one traced run each; tracing itself adds time, so it is not timed):');
    for (const [i, s] of scenarios.entries()) await traceModules(work, s, i);
  } finally {
    await etcd?.stop();
    for (const dir of [work, ...confdirs]) rmSync(dir, { recursive: true, force: true });
  }
};

await main();
