'use strict';
// Loads dist/bundle/switchyard.js (scripts/bundle.mjs) the way Node loads a
// CommonJS module (the file holds the function Node would wrap it in), but
// compiled with the V8 code cache written beside it at build time: a run
// neither parses nor compiles the code it needs again. V8 refuses a cache
// from another Node.js version or other V8 flags; the bundle then compiles as
// any module does. CommonJS, so that start-up does not load Node's ES module
// loader either. The single executable (scripts/sea-main.cjs) runs the same
// bundle and cache through runModule.
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const BUNDLE = join(__dirname, '../dist/bundle/switchyard.js');
const CACHE = join(__dirname, '../dist/bundle/switchyard.cache');

/**
 * Compiles `source`, a function expression taking a CommonJS module's
 * (exports, require, module, __filename, __dirname), with `cachedData` when
 * given, and calls it. Returns the module and the Script (for createCachedData).
 */
const runModule = ({ source, cachedData, filename, require }) => {
  const script = new Script(source, { filename, cachedData });
  const module = { exports: {}, filename, id: filename, loaded: false };
  script.runInThisContext().call(module.exports, module.exports, require, module, filename, dirname(filename));
  module.loaded = true;
  return { module, script };
};

/** Runs the bundle with its code cache; returns its Script (scripts/code-cache.cjs asks it for a cache). */
const runBundle = ({ useCache = true } = {}) => {
  let source;
  try {
    source = readFileSync(BUNDLE, 'utf8');
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
    process.stderr.write('switchyard: dist/bundle/ is missing; run `npm ci && npm run build` first\n');
    process.exit(2);
  }
  let cachedData;
  if (useCache) {
    try {
      cachedData = readFileSync(CACHE);
    } catch {
      // No cache (a build without one): compiled as usual.
    }
  }
  return runModule({ source, cachedData, filename: BUNDLE, require: createRequire(BUNDLE) }).script;
};

module.exports = { runBundle, runModule, BUNDLE, CACHE };
