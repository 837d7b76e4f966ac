'use strict';
// Writes dist/bundle/switchyard.cache: V8's code cache for
// dist/bundle/switchyard.js after a --onetime run of the quickstart (file
// backend, a copy in a temporary directory), so the cache holds the code a
// run compiles, not only the bundle's top level. Run by scripts/bundle.mjs.
const { cpSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { runBundle, CACHE } = require('../bin/run-bundle.cjs');

const confdir = mkdtempSync(join(tmpdir(), 'switchyard-code-cache-'));
cpSync(join(__dirname, '../examples/quickstart'), confdir, { recursive: true, filter: (src) => !src.endsWith('/out') });
process.argv = [process.argv[0], join(__dirname, '../bin/switchyard'), '--onetime', '--confdir', confdir, '--log-level', 'error'];
const script = runBundle({ useCache: false });
process.on('exit', (code) => {
  rmSync(confdir, { recursive: true, force: true });
  if (code !== 0) return;
  const data = script.createCachedData();
  writeFileSync(CACHE, data);
  process.stdout.write(`dist/bundle/switchyard.cache: ${(data.length / 1024).toFixed(0)} KiB of code cache, node ${process.version}\n`);
});
