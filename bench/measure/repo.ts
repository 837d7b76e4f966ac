// The repository root and the CLI, found by walking up from this file, so
// the bench works from bench/ and compiled under bench/dist/bench/ alike.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const findRepoRoot = (start: string): string => {
  for (let dir = start; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'bin', 'switchyard')) && existsSync(join(dir, 'package.json'))) return dir;
  }
  throw new Error(`no bin/switchyard above ${start}`);
};

export const REPO_ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
export const CLI = join(REPO_ROOT, 'bin', 'switchyard');

/** Fails early with the fix when dist/ was not built. */
export const requireBuiltCli = (): void => {
  if (!existsSync(join(REPO_ROOT, 'dist', 'bundle', 'switchyard.js'))) throw new Error('dist/ is missing: run `npm run build` first');
};
