'use strict';
// The single executable's main script (bundled by scripts/package.mjs): it
// runs the bundle of bin/switchyard, its libraries and their code caches,
// all embedded as assets, with bin/run-bundle.cjs's loader. Every require
// that is not a library of the bundle is one of Node's built-in modules.
const { getRawAsset } = require('node:sea');
const { createLoader } = require('../bin/run-bundle.cjs');

// The assets as they lie in the executable's memory, not copies (getAsset
// copies each one; with an encoding it also loads a TextDecoder): the text is
// copied once, into a latin1 string (every file of dist/bundle/ is ASCII,
// as bin/run-bundle.cjs reads them), and V8 reads a cache where it lies.
// Neither buffer is written to: the memory is the executable's, read-only.
const raw = (name) => Buffer.from(getRawAsset(name));

const has = new Set(JSON.parse(raw('assets.json').toString()));

createLoader({
  files: {
    text: (name) => raw(name).toString('latin1'),
    cache: (name) => (has.has(name) ? raw(name) : undefined),
  },
  filename: (name) => `${process.execPath}/${name}`,
  builtin: require,
}).runMain();
