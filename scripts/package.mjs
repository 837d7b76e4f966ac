// Writes dist/switchyard-linux-x64: one executable that runs on a host with no
// Node.js. It is a copy of the node binary running this script with the
// bundle (dist/sea/switchyard.cjs, from scripts/bundle.mjs) injected as a
// single-executable application, with V8's code cache for the bundle so the
// executable does not parse and compile it again at start-up.
//
//   npm run package    (builds first)
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(repo, 'package.json'));
const main = join(repo, 'dist/sea/switchyard.cjs');
const blob = join(repo, 'dist/sea/switchyard.blob');
const seaConfig = join(repo, 'dist/sea/sea-config.json');
const target = join(repo, `dist/switchyard-${process.platform}-${process.arch}`);

if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first (\`npm run package\` does)`);

writeFileSync(
  seaConfig,
  JSON.stringify({ main, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true, useSnapshot: false }, null, 2),
);
execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: 'inherit' });

rmSync(target, { force: true });
copyFileSync(process.execPath, target);
chmodSync(target, 0o755);
const { inject } = require('postject');
await inject(target, 'NODE_SEA_BLOB', readFileSync(blob), {
  sentinelFuse: 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
});

const version = execFileSync(target, ['--version'], { encoding: 'utf8' }).trim();
process.stdout.write(`${target.slice(repo.length + 1)}: switchyard ${version}, node ${process.version}, code cache\n`);
