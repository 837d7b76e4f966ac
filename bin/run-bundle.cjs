'use strict';
// Loads dist/bundle/switchyard.js (scripts/bundle.mjs) the way Node loads a
// CommonJS module (the file holds the function Node would wrap it in), but
// compiled with the V8 code cache written beside it at
// build time: a run neither parses nor compiles the code it needs again. V8
// refuses a cache from another Node.js version or other V8 flags; the bundle
// then compiles as any module does. CommonJS, so that start-up does not load
// Node's ES module loader either.
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const BUNDLE = join(__dirname, '../dist/bundle/switchyard.js');
const CACHE = join(__dirname, '../dist/bundle/switchyard.cache');

/** Compiles and runs the bundle; returns its Script (scripts/code-cache.cjs asks it for a cache). */
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
  const script = new Script(source, { filename: BUNDLE, cachedData });
  const module = { exports: {}, filename: BUNDLE, id: BUNDLE, loaded: false };
  script.runInThisContext().call(module.exports, module.exports, createRequire(BUNDLE), module, BUNDLE, dirname(BUNDLE));
  module.loaded = true;
  return script;
};

module.exports = { runBundle, BUNDLE, CACHE };
