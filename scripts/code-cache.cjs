'use strict';
// Writes V8's code cache beside each file of dist/bundle/ (NAME.js →
// NAME.cache): each library's top level is run, then --onetime runs of the
// quickstart (file backend, a copy in a temporary directory) and of two
// resources read from etcd and from Consul (stand-ins of
// code-cache-stores.cjs), one after the other in this process, so the caches
// hold the code those runs compile, not only each file's top level. Run by
// scripts/bundle.mjs, with the Node.js the caches are for.
const { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { diskFiles, runBundle, DIR } = require('../bin/run-bundle.cjs');
const { startStores } = require('./code-cache-stores.cjs');

const work = mkdtempSync(join(tmpdir(), 'switchyard-code-cache-'));
const quickstart = join(work, 'quickstart');
cpSync(join(__dirname, '../examples/quickstart'), quickstart, { recursive: true, filter: (src) => !src.endsWith('/out') });
// Two resources of the kind bench:peers reads from the stores.
const stores = join(work, 'stores');
mkdirSync(join(stores, 'conf.d'), { recursive: true });
mkdirSync(join(stores, 'templates'));
const RESOURCES = {
  lines: '{{#each (gets "/servers/*")}}{{base key}}={{value}}\n{{/each}}',
  upstream: 'upstream pool {\n{{#each (getvs "/servers/*")}}    server {{this}};\n{{/each}}}\n',
};
for (const [name, template] of Object.entries(RESOURCES)) {
  writeFileSync(join(stores, 'templates', `${name}.hbs`), template);
  writeFileSync(join(stores, 'conf.d', `${name}.toml`), `[template]\nsrc = "${name}.hbs"\ndest = ${JSON.stringify(join(stores, `${name}.conf`))}\nprefix = "/cache"\nkeys = ["/servers"]\n`);
}

const scripts = new Map();
let loader;
const run = (args) => {
  // Their history goes to the temporary directory, not to the host's.
  process.argv = [process.argv[0], join(__dirname, '../bin/switchyard'), '--onetime', ...args, '--history-dir', join(work, 'history'), '--log-level', 'error'];
  if (!loader) {
    loader = runBundle({ files: { text: diskFiles.text, cache: () => undefined }, onCompile: (name, script) => scripts.set(name, script) });
    // Not the HCL parser: only `migrate consul-template` reads HCL, once, and its cache would be 3 MB.
    const NO_CACHE = new Set(['hcl2-parser.js']);
    for (const file of readdirSync(join(DIR, 'vendor')).filter((f) => f.endsWith('.js') && !NO_CACHE.has(f))) loader.require(`./vendor/${file}`);
  } else {
    // The same text compiled again shares the functions the runs before compiled.
    loader.runMain();
  }
};

const exit = process.exit.bind(process);
const write = () => {
  let bytes = 0;
  for (const [name, script] of scripts) {
    const data = script.createCachedData();
    writeFileSync(join(DIR, name.replace(/\.js$/, '.cache')), data);
    bytes += data.length;
  }
  process.stdout.write(`dist/bundle/*.cache: ${scripts.size} files, ${(bytes / 1024).toFixed(0)} KiB of code cache, node ${process.version}\n`);
};

const main = async () => {
  const servers = await startStores();
  const runs = [
    ['--confdir', quickstart],
    ['--confdir', stores, '--backend', 'etcd', '--node', servers.etcd],
    ['--confdir', stores, '--backend', 'consul', '--node', servers.consul],
  ];
  // Each run ends with process.exit(code): the next run starts there instead.
  let index = 0;
  process.exit = (code) => {
    const failed = (code ?? process.exitCode ?? 0) !== 0;
    if (failed) process.stderr.write(`code cache: the run ${runs[index].join(' ')} failed (exit ${code})\n`);
    index++;
    if (!failed && index < runs.length) return run(runs[index]);
    servers.close();
    rmSync(work, { recursive: true, force: true });
    if (!failed) write();
    exit(failed ? 1 : 0);
  };
  run(runs[0]);
};

main().catch((err) => {
  process.stderr.write(`code cache: ${err.stack}\n`);
  rmSync(work, { recursive: true, force: true });
  exit(1);
});
