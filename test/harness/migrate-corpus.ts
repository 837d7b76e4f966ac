// The migration corpus (test/fixtures/migrate/): copies an original
// configuration into a temporary directory with its placeholders filled in,
// and reads what a tool rendered into the output directory.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './cli.js';

export const CORPUS = join(REPO, 'test/fixtures/migrate');

export interface CorpusCopy {
  root: string;
  /** The copied original configuration. */
  src: string;
  /** Where the tools write their outputs. */
  out: string;
  remove(): void;
}

const fill = (dir: string, values: Record<string, string>): void => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) fill(path, values);
    else if (/\.(toml|hcl)$/.test(name)) {
      let text = readFileSync(path, 'utf8');
      for (const [k, v] of Object.entries(values)) text = text.replaceAll(`@${k}@`, v);
      writeFileSync(path, text);
    }
  }
};

/** Copies test/fixtures/migrate/NAME, replacing @OUT@, @SRC@ and the given placeholders in .toml and .hcl files. */
export const copyCorpus = (name: string, values: Record<string, string> = {}): CorpusCopy => {
  const root = mkdtempSync(join(tmpdir(), `switchyard-migrate-${name}-`));
  const src = join(root, 'src');
  const out = join(root, 'out');
  cpSync(join(CORPUS, name), src, { recursive: true });
  mkdirSync(out);
  fill(src, { OUT: out, SRC: src, ...values });
  return { root, src, out, remove: () => rmSync(root, { recursive: true, force: true }) };
};

/** Every file in dir, by name, as bytes; the directory is emptied. */
export const takeOutputs = (dir: string): Map<string, Buffer> => {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    files.set(name, readFileSync(join(dir, name)));
    rmSync(join(dir, name));
  }
  return files;
};

/** The keys of a corpus' data.json. */
export const corpusData = (name: string, file = 'data.json'): Record<string, string> =>
  JSON.parse(readFileSync(join(CORPUS, name, file), 'utf8')) as Record<string, string>;
