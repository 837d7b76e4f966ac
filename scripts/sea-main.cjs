'use strict';
// The single executable's main script (bundled by scripts/package.mjs): it
// runs the bundle of bin/switchyard, its libraries and their code caches,
// all embedded as assets, with bin/run-bundle.cjs's loader. Every require
// that is not a library of the bundle is one of Node's built-in modules.
const { getAsset, getRawAsset } = require('node:sea');
const { createLoader } = require('../bin/run-bundle.cjs');

// A cache is read where it lies in the executable's memory (getRawAsset;
// getAsset would copy it); that memory is the executable's, read-only, and
// nothing writes to it. A file's text is decoded by getAsset(name, 'utf8'):
// measured against a latin1 copy of the raw asset (what bin/run-bundle.cjs
// does with a file it reads), it touches ~390 fewer pages and runs 0.95×
// the time of an etcd or Consul one-shot (bench/README.md, "The single
// executable's text, measured again").
const raw = (name) => Buffer.from(getRawAsset(name));

const has = new Set(JSON.parse(raw('assets.json').toString()));

createLoader({
  files: {
    text: (name) => getAsset(name, 'utf8'),
    cache: (name) => (has.has(name) ? raw(name) : undefined),
  },
  filename: (name) => `${process.execPath}/${name}`,
  builtin: require,
}).runMain();
