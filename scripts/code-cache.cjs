'use strict';
// Writes V8's code cache beside each file of dist/bundle/ (NAME.js →
// NAME.cache): each library's top level is run, then a --onetime run of the
// quickstart (file backend, a copy in a temporary directory), so the caches
// hold the code a run compiles, not only each file's top level. Run by
// scripts/bundle.mjs, with the Node.js the caches are for.
const { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { diskFiles, runBundle, DIR } = require('../bin/run-bundle.cjs');

const confdir = mkdtempSync(join(tmpdir(), 'switchyard-code-cache-'));
cpSync(join(__dirname, '../examples/quickstart'), confdir, { recursive: true, filter: (src) => !src.endsWith('/out') });
process.argv = [process.argv[0], join(__dirname, '../bin/switchyard'), '--onetime', '--confdir', confdir, '--log-level', 'error'];

const scripts = new Map();
const loader = runBundle({ files: { text: diskFiles.text, cache: () => undefined }, onCompile: (name, script) => scripts.set(name, script) });
// Not the HCL parser: only `migrate consul-template` reads HCL, once, and its cache would be 3 MB.
const NO_CACHE = new Set(['hcl2-parser.js']);
for (const file of readdirSync(join(DIR, 'vendor')).filter((f) => f.endsWith('.js') && !NO_CACHE.has(f))) loader.require(`./vendor/${file}`);

process.on('exit', (code) => {
  rmSync(confdir, { recursive: true, force: true });
  if (code !== 0) return;
  let bytes = 0;
  for (const [name, script] of scripts) {
    const data = script.createCachedData();
    writeFileSync(join(DIR, name.replace(/\.js$/, '.cache')), data);
    bytes += data.length;
  }
  process.stdout.write(`dist/bundle/*.cache: ${scripts.size} files, ${(bytes / 1024).toFixed(0)} KiB of code cache, node ${process.version}\n`);
});
