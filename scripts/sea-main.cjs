'use strict';
// The single executable's main script (bundled by scripts/package.mjs): it
// runs the bundle of bin/switchyard, its libraries and their code caches,
// all embedded as assets, with bin/run-bundle.cjs's loader. Every require
// that is not a library of the bundle is one of Node's built-in modules.
const { getAsset } = require('node:sea');
const { createLoader } = require('../bin/run-bundle.cjs');

const has = new Set(JSON.parse(getAsset('assets.json', 'utf8')));

createLoader({
  files: {
    text: (name) => getAsset(name, 'utf8'),
    cache: (name) => (has.has(name) ? Buffer.from(getAsset(name)) : undefined),
  },
  filename: (name) => `${process.execPath}/${name}`,
  builtin: require,
}).runMain();
