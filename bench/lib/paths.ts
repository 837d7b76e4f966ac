// Where the bench finds its own files and the example templates, whether it
// runs from bench/ or compiled under bench/dist/bench/.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const findRepoRoot = (start: string): string => {
  for (let dir = start; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'bench', 'count.lua'))) return dir;
  }
  throw new Error(`no bench/count.lua above ${start}`);
};

export const repoRoot = findRepoRoot(resolve(dirname(fileURLToPath(import.meta.url))));
export const benchDir = join(repoRoot, 'bench');
export const exampleDir = join(repoRoot, 'examples', 'blue-green');
