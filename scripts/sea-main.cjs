'use strict';
// The single executable's main script (bundled by scripts/package.mjs): it
// runs dist/bundle/switchyard.js with its code cache, both embedded as
// assets, as bin/switchyard does from disk. A library the bundle requires
// (./vendor/NAME.cjs) is an asset too, compiled at its first require; every
// other require is one of Node's built-in modules.
const { getAsset } = require('node:sea');
const { runModule } = require('../bin/run-bundle.cjs');

const vendor = new Map();
const seaRequire = (id) => {
  if (!id.startsWith('./vendor/')) return require(id);
  let loaded = vendor.get(id);
  if (!loaded) {
    const source = `(function (exports, require, module, __filename, __dirname) {${getAsset(id.slice(2), 'utf8')}\n})`;
    loaded = runModule({ source, filename: `${process.execPath}/${id.slice(2)}`, require: seaRequire }).module;
    vendor.set(id, loaded);
  }
  return loaded.exports;
};

runModule({
  source: getAsset('switchyard.js', 'utf8'),
  cachedData: Buffer.from(getAsset('switchyard.cache')),
  filename: process.execPath,
  require: seaRequire,
});
