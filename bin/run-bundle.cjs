'use strict';
// Loads the bundle (scripts/bundle.mjs): dist/bundle/switchyard.js, and each
// library it requires (./vendor/NAME.js) at the first require, the way Node
// loads a CommonJS module (each file holds the function Node would wrap it
// in), but compiled with the V8 code cache written beside it at build time
// (NAME.cache): a run neither parses nor compiles the code it needs again.
// V8 refuses a cache from another Node.js version or other V8 flags; the
// file then compiles as any module does. CommonJS, so that start-up does not
// load Node's ES module loader either. The single executable
// (scripts/sea-main.cjs) runs the same files, embedded as assets.
const { closeSync, fstatSync, openSync, readSync, statSync } = require('node:fs');
const { join } = require('node:path');
const { Script } = require('node:vm');

const DIR = join(__dirname, '../dist/bundle');
const MAIN = 'switchyard.js';
const cacheName = (name) => name.replace(/\.js$/, '.cache');

/**
 * A loader over the bundle's files. `files.text(name)` and `files.cache(name)`
 * read a file and its cache (undefined when there is none); `filename(name)`
 * names it in stack traces; every require that is not a library of the
 * bundle goes to `builtin`. `onCompile` sees each Script (for its cache).
 */
const createLoader = ({ files, filename, builtin, onCompile }) => {
  const loaded = new Map();
  const run = (name) => {
    const file = filename(name);
    const script = new Script(files.text(name), { filename: file, cachedData: files.cache(cacheName(name)) });
    onCompile?.(name, script);
    const module = { exports: {}, filename: file, id: file, loaded: false };
    loaded.set(name, module);
    script.runInThisContext().call(module.exports, module.exports, bundleRequire, module, file, file.slice(0, file.lastIndexOf('/')));
    module.loaded = true;
    return module.exports;
  };
  const bundleRequire = (id) => {
    if (!id.startsWith('./vendor/')) return builtin(id);
    const name = id.slice(2);
    return loaded.has(name) ? loaded.get(name).exports : run(name);
  };
  return { runMain: () => run(MAIN), require: bundleRequire };
};

const missing = (err) => err.code === 'ENOENT';

// A file's bytes are read into one buffer, which the file's cache is then
// read into too: the pages a read touches are touched once, not once per
// file (on a virtual machine each first touch of a page costs tens of µs).
// The text is latin1, which every file of dist/bundle/ is (ASCII, checked by
// scripts/bundle.mjs): a plain copy into a string, where reading it as UTF-8
// goes through buffers of its own.
let scratch;
const readBytes = (path, room = 0) => {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (scratch === undefined || scratch.length < size) scratch = Buffer.allocUnsafeSlow(Math.max(size, room));
    let read = 0;
    while (read < size) {
      const n = readSync(fd, scratch, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return scratch.subarray(0, read);
  } finally {
    closeSync(fd);
  }
};

/**
 * The files of dist/bundle/ (a missing cache is no cache). A cache's bytes
 * are valid until the next file is read: the loader hands them to V8, which
 * has read them when the Script is compiled.
 */
const diskFiles = {
  // The buffer is made large enough for the cache read after the text (a
  // second buffer would touch its pages again).
  text: (name) => readBytes(join(DIR, name), statSync(join(DIR, cacheName(name)), { throwIfNoEntry: false })?.size).toString('latin1'),
  cache: (name) => {
    try {
      return readBytes(join(DIR, name));
    } catch (err) {
      if (missing(err)) return undefined;
      throw err;
    } finally {
      // The last read of a file: the next file's buffer is its own, so the daemon keeps none.
      scratch = undefined;
    }
  },
};

/** Runs bin/switchyard's bundle from dist/bundle/. */
const runBundle = ({ files = diskFiles, onCompile } = {}) => {
  const loader = createLoader({ files, filename: (name) => join(DIR, name), builtin: require, onCompile });
  try {
    loader.runMain();
  } catch (err) {
    if (!missing(err) || !String(err.path).endsWith(MAIN)) throw err;
    process.stderr.write('switchyard: dist/bundle/ is missing; run `npm ci && npm run build` first\n');
    process.exit(2);
  }
  return loader;
};

module.exports = { createLoader, runBundle, diskFiles, DIR };
