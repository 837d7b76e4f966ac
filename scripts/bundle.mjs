// Bundles the CLI and everything it imports into one CommonJS file,
// dist/switchyard.cjs, which bin/switchyard runs and the single executable
// embeds. Modules behind a dynamic import() (the backends and their client
// libraries, chokidar, execa, diff, smol-toml) are in the same file but are
// evaluated only when a run first needs them.
//
//   node scripts/bundle.mjs [--report]
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(repo, 'package.json'));
const { version } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));

// etcd3 reads its .proto files from disk next to its own module when it is
// first imported. A single executable has no such files, so the parsed
// definitions are embedded as JSON and handed to proto-loader's fromJSON.
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

const common = {
  entryPoints: [join(repo, 'src/cli/main.ts')],
  bundle: true,
  platform: 'node',
  target: 'node20',
  plugins: [embedEtcdProtos],
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  metafile: true,
  logLevel: 'warning',
};

// What bin/switchyard runs: ESM, the code every run needs in one file, each
// lazily imported package (a backend's client library, execa, chokidar, diff)
// in a file of its own that is read only when a run imports it.
rmSync(join(repo, 'dist/bundle'), { recursive: true, force: true }); // chunk names change with their content
const esm = await build({
  ...common,
  outdir: join(repo, 'dist/bundle'),
  entryNames: 'switchyard',
  format: 'esm',
  splitting: true,
  outExtension: { '.js': '.mjs' },
  define: { SWITCHYARD_VERSION: JSON.stringify(version) },
  // CommonJS packages in the bundle call require() for Node's built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});

// What the single executable embeds: everything in one CommonJS file (Node's
// single-executable applications run one CommonJS script and nothing else).
const cjs = await build({
  ...common,
  outfile: join(repo, 'dist/sea/switchyard.cjs'),
  format: 'cjs',
  // import() of a built-in (node:http) becomes require(): a script compiled
  // with a code cache (bin/switchyard, the single executable) has no loader
  // for import().
  supported: { 'dynamic-import': false },
  // ESM packages (yargs) read import.meta.url; here it is the file's own URL.
  define: { 'import.meta.url': '__bundle_url', SWITCHYARD_VERSION: JSON.stringify(version) },
  banner: { js: "var __bundle_url = require('node:url').pathToFileURL(__filename).href;" },
});

const report = process.argv.includes('--report');
for (const [name, result] of [['dist/bundle', esm], ['dist/sea', cjs]]) {
  const outputs = Object.entries(result.metafile.outputs).filter(([path]) => !path.endsWith('.map'));
  const total = outputs.reduce((sum, [, o]) => sum + o.bytes, 0);
  process.stdout.write(`${name}: ${outputs.length} file(s), ${(total / 1024).toFixed(0)} KiB\n`);
  if (report) for (const [path, o] of outputs.sort((a, b) => b[1].bytes - a[1].bytes)) process.stdout.write(`  ${String(o.bytes).padStart(9)}  ${path}\n`);
}
