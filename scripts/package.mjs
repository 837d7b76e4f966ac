// Writes dist/switchyard-linux-x64: one executable that runs on a host with no
// Node.js. It is a copy of the node binary running this script, made a
// single-executable application whose main script (scripts/sea-main.cjs)
// runs the bundle of bin/switchyard (dist/bundle/, from scripts/bundle.mjs)
// embedded as assets: each file with the V8 code cache made by the same
// Node.js, so the executable neither parses nor compiles the code a run
// needs; a library is read at its first require.
//
//   npm run package    (builds first)
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(repo, 'package.json'));
const bundle = join(repo, 'dist/bundle');
const main = join(repo, 'dist/sea/main.cjs');
const blob = join(repo, 'dist/sea/switchyard.blob');
const seaConfig = join(repo, 'dist/sea/sea-config.json');
const target = join(repo, `dist/switchyard-${process.platform}-${process.arch}`);

for (const file of ['switchyard.js', 'switchyard.cache']) {
  if (!existsSync(join(bundle, file))) throw new Error(`dist/bundle/${file} is missing: run \`npm run build\` first (\`npm run package\` does)`);
}

mkdirSync(dirname(main), { recursive: true });
await build({ entryPoints: [join(repo, 'scripts/sea-main.cjs')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: main, logLevel: 'warning' });
// Every file of dist/bundle/, and assets.json listing them (a cache may be missing).
const names = ['switchyard.js', 'switchyard.cache', ...readdirSync(join(bundle, 'vendor')).map((f) => `vendor/${f}`)];
const listing = join(repo, 'dist/sea/assets.json');
writeFileSync(listing, JSON.stringify(names));
const assets = { 'assets.json': listing, ...Object.fromEntries(names.map((name) => [name, join(bundle, name)])) };
writeFileSync(
  seaConfig,
  JSON.stringify({ main, output: blob, disableExperimentalSEAWarning: true, useCodeCache: false, useSnapshot: false, assets }, null, 2),
);
execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: 'inherit' });

rmSync(target, { force: true });
copyFileSync(process.execPath, target);
chmodSync(target, 0o755);
const { inject } = require('postject');
// postject's ELF reader warns once per note section of node's binary whose
// name it cannot find ("Can't find string offset for section name '.note…'"),
// nine lines that change nothing in the result: counted and named in one line
// instead. Any other warning goes through as it is.
const NOTE_WARNING = /^warning: Can't find string offset for section name '\.note[.\d]*'$/;
const warn = console.warn;
let notes = 0;
console.warn = (...args) => {
  if (args.length === 1 && NOTE_WARNING.test(String(args[0]))) notes++;
  else warn(...args);
};
try {
  await inject(target, 'NODE_SEA_BLOB', readFileSync(blob), {
    sentinelFuse: 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
  });
} finally {
  console.warn = warn;
}
if (notes > 0) process.stdout.write(`postject: ${notes} notes about unnamed .note sections of node's binary left out (harmless)\n`);

const version = execFileSync(target, ['--version'], { encoding: 'utf8' }).trim();
process.stdout.write(`${target.slice(repo.length + 1)}: switchyard ${version}, node ${process.version}, the bundle's code cache\n`);
