// Bundles the CLI for bin/switchyard and the single executable.
//
// dist/bundle/ (what bin/switchyard runs and `npm pack` ships):
//   switchyard.js       every module of switchyard and the small libraries a
//                       run needs (Handlebars, the TOML reader) as one
//                       CommonJS module; modules behind a dynamic import()
//                       are in it but evaluated only when a run first needs
//                       them;
//   vendor/NAME.js      each larger library (the etcd gRPC client, yargs,
//                       chokidar, diff, yaml, the HCL parser) in a file of
//                       its own, read by the first require() of a run that
//                       uses it;
//   *.cache             V8's code cache for each of them, written by a run of
//                       the quickstart (scripts/code-cache.cjs), so a run
//                       neither parses nor compiles the code it needs.
// Each .js file holds the function Node wraps around a CommonJS module;
// bin/run-bundle.cjs compiles it with its cache and calls it.
// The single executable embeds the same files (scripts/package.mjs).
//
//   node scripts/bundle.mjs [--report]
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(repo, 'package.json'));
const { version } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
const out = join(repo, 'dist/bundle');

// The libraries kept out of switchyard.cjs: a run that does not use one does
// not read it. Each is imported only from modules that runs load on demand.
const VENDOR = ['etcd3', 'yargs', 'yargs/helpers', 'chokidar', 'diff', 'yaml', 'hcl2-parser'];
const vendorFile = (name) => `vendor/${name.replace(/\//g, '-')}.js`;

// Each file holds the function Node wraps around a CommonJS module, so the
// loader (bin/run-bundle.cjs) compiles the text as read: one string, no copy.
// It reads the text as latin1, so a file must be ASCII (esbuild's default
// charset escapes everything else).
const wrapped = (text) => {
  const at = text.search(/[^\x00-\x7f]/);
  if (at >= 0) throw new Error(`a bundle file holds a character that is not ASCII at ${at}: bin/run-bundle.cjs reads them as latin1`);
  return `(function (exports, require, module, __filename, __dirname) {${text}\n})`;
};

// etcd3 reads its .proto files from disk next to its own module when it is
// first imported. A bundle has no such files, so the parsed definitions are
// embedded as JSON and handed to proto-loader's fromJSON.
const etcdProtoJson = () => {
  const protobuf = require('protobufjs');
  const root = new protobuf.Root();
  root.loadSync(join(dirname(require.resolve('etcd3/package.json')), 'proto/rpc.proto'), { keepCase: true });
  root.resolveAll();
  return JSON.stringify(root.toJSON());
};

const embedEtcdProtos = {
  name: 'embed-etcd-protos',
  setup(b) {
    b.onLoad({ filter: /[\\/]etcd3[\\/]lib[\\/]connection-pool\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const call = '(0, proto_loader_1.loadSync)(`${__dirname}/../proto/rpc.proto`, {';
      if (!source.includes(call)) throw new Error(`${args.path}: the proto loading call changed; update scripts/bundle.mjs`);
      return { contents: source.replace(call, `(0, proto_loader_1.fromJSON)(${etcdProtoJson()}, {`), loader: 'js' };
    });
  },
};

// Handlebars uses source-map only to map compiled templates back to their
// source, which switchyard never asks for; without it Handlebars uses its own
// small stand-in.
const noSourceMap = {
  name: 'no-source-map',
  setup(b) {
    b.onResolve({ filter: /^source-map$/ }, () => ({ path: 'source-map', namespace: 'empty' }));
    b.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  metafile: true,
  logLevel: 'warning',
  // import() becomes require(): a script compiled with a code cache
  // (bin/switchyard, the single executable) has no loader for import().
  supported: { 'dynamic-import': false },
  // ESM packages (yargs) read import.meta.url; here it is the file's own URL.
  define: { 'import.meta.url': '__bundle_url', SWITCHYARD_VERSION: JSON.stringify(version) },
  banner: { js: "var __bundle_url = require('node:url').pathToFileURL(__filename).href;" },
};

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'vendor'), { recursive: true });

/** What a CommonJS module's text exports, evaluated here. */
const exportsOf = (text, file) => {
  const module = { exports: {} };
  new Function('exports', 'require', 'module', '__filename', '__dirname', text)(module.exports, require, module, file, dirname(file));
  return module.exports;
};

// Each library alone: module.exports is what require('NAME') gives, for a
// CommonJS library its own module.exports, for an ES module its namespace.
const vendor = new Map();
for (const name of VENDOR) {
  const file = join(out, vendorFile(name));
  const result = await build({
    ...common,
    stdin: { contents: `module.exports = require(${JSON.stringify(name)});`, resolveDir: repo, sourcefile: `${name}.cjs` },
    outfile: file,
    plugins: [embedEtcdProtos],
    write: false,
  });
  const [{ text }] = result.outputFiles;
  writeFileSync(file, wrapped(text));
  const entry = result.metafile.inputs[`${name}.cjs`]?.imports[0]?.path;
  const format = entry ? result.metafile.inputs[entry]?.format : undefined;
  // An ES module is imported by name: its names are listed for the stand-in below.
  const names = format === 'esm' ? Object.keys(exportsOf(text, file)).filter((k) => k !== '__esModule' && /^[A-Za-z_$][\w$]*$/.test(k)) : [];
  vendor.set(name, { format, names, result });
}

// In switchyard.js each library is a stand-in module that requires the
// library's file when the module importing it is first evaluated: for a
// CommonJS library its module.exports (so the interop is the one a bundled
// copy would get), for an ES module its named exports.
const vendorStandIns = {
  name: 'vendor-stand-ins',
  setup(b) {
    const names = new RegExp(`^(${VENDOR.map((n) => n.replace(/[/.]/g, '\\$&')).join('|')})$`);
    b.onResolve({ filter: names }, (args) => ({ path: args.path, namespace: 'vendor' }));
    b.onResolve({ filter: /^\.\/vendor\//, namespace: 'vendor' }, (args) => ({ path: args.path, external: true }));
    b.onLoad({ filter: /.*/, namespace: 'vendor' }, (args) => {
      const { format, names: exported } = vendor.get(args.path);
      const req = `require(${JSON.stringify(`./${vendorFile(args.path)}`)})`;
      if (format !== 'esm') return { contents: `module.exports = ${req};`, loader: 'js', resolveDir: out };
      const lines = [`const m = ${req};`, ...exported.map((k) => (k === 'default' ? 'export default m.default;' : `export const ${k} = m.${k};`))];
      return { contents: lines.join('\n'), loader: 'js', resolveDir: out };
    });
  },
};

const core = await build({
  ...common,
  entryPoints: [join(repo, 'src/cli/main.ts')],
  outfile: join(out, 'switchyard.js'),
  plugins: [vendorStandIns, noSourceMap],
  write: false,
});
// "use strict" (every module of switchyard is an ES module) stays the first
// statement of the body.
const [coreFile] = core.outputFiles;
const body = coreFile.text.replace(/^var __bundle_url = [^\n]*\n/, (banner) => `"use strict";${banner}`);
writeFileSync(coreFile.path, wrapped(body));

// The code cache, from a run of the quickstart with this Node.js.
execFileSync(process.execPath, [join(repo, 'scripts/code-cache.cjs')], { stdio: 'inherit' });

const report = process.argv.includes('--report');
const results = [['dist/bundle/switchyard.js', core], ...[...vendor].map(([n, v]) => [`dist/bundle/${vendorFile(n)}`, v.result])];
for (const [name, result] of results) {
  const outputs = Object.entries(result.metafile.outputs);
  const total = outputs.reduce((sum, [, o]) => sum + o.bytes, 0);
  if (report || name.endsWith('switchyard.js')) process.stdout.write(`${name}: ${(total / 1024).toFixed(0)} KiB\n`);
}
