// The history of one resource: every applied render (and every failed one,
// with its stage) under <history-dir>/<resource>/, one JSON file per entry,
// newest kept, oldest pruned. Each file is written to a temporary name and
// renamed, so a reader never sees half an entry.
//
// Writing an entry takes a dozen small steps (mkdir, readdir, open, write,
// chmod, close, rename, unlink) of microseconds each: they are synchronous,
// as the staging of dest is (../resource/stage-file.ts); only the fsync,
// which waits for the disk, goes to the thread pool.
import { chmodSync, closeSync, fchmodSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncFd, readFile } from '../fs-callbacks.js';
import { randomHex, sha256Hex } from '../hex.js';

export type HistoryResult = 'updated' | 'failed';

export interface HistoryEntry {
  /** etcd revision or Consul index the content was rendered from; absent for file/env. */
  revision?: string;
  /** ISO 8601. */
  time: string;
  /**
   * Of the content; absent when rendering itself failed. Entries are written
   * without it (the content is in the entry; hashing it would load node:crypto
   * into every run that writes a file): listEntries works it out.
   */
  sha256?: string;
  result: HistoryResult;
  /** The stage a failure happened at. */
  stage?: string;
  /** The failure, secrets masked. */
  error?: string;
  /** The rendered text, exactly; absent when rendering failed. */
  content?: string;
}

/** An entry as listed: n = 1 is the newest. */
export interface NumberedEntry extends HistoryEntry {
  n: number;
  file: string;
}

const ENTRY_NAME = /^(\d{13})-(\d{6})-[0-9a-f]{8}\.json$/;

/** "app.toml" → "app": the directory of a resource's history. */
export const historyName = (resource: string): string => resource.replace(/\.toml$/, '');

export const resourceHistoryDir = (historyDir: string, resource: string): string => join(historyDir, historyName(resource));

let sequence = 0;

const entryFileName = (now: number): string =>
  `${String(now).padStart(13, '0')}-${String(sequence++ % 1_000_000).padStart(6, '0')}-${randomHex(4)}.json`;

const writeAtomically = async (dir: string, name: string, text: string, mode: number): Promise<void> => {
  const temp = join(dir, `.${name}.tmp-${randomHex(4)}`);
  const fd = openSync(temp, 'wx', mode);
  try {
    writeSync(fd, text, null, 'utf8');
    // The umask may have narrowed the mode; the entry mirrors dest's exactly.
    fchmodSync(fd, mode);
    await fsyncFd(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(temp, join(dir, name));
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
};

/** The entry files of a resource, newest first. */
const entryFiles = (dir: string): string[] => {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names.filter((n) => ENTRY_NAME.test(n)).sort().reverse();
};

export interface AppendOptions {
  historyDir: string;
  resource: string;
  /** Keep this many entries (newest). */
  keep: number;
  /** Mode of the entry file: dest's, so a root-only dest gives a root-only entry. */
  mode: number;
  now?: number;
}

/**
 * Adds an entry and prunes beyond `keep`. A failure identical to the newest
 * entry (same stage and content) is not added again, so a failing poll does
 * not push the good entries out. Returns whether an entry was written.
 */
export const appendEntry = async (entry: HistoryEntry, options: AppendOptions): Promise<boolean> => {
  const dir = resourceHistoryDir(options.historyDir, options.resource);
  mkdirSync(options.historyDir, { recursive: true, mode: 0o700 });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const files = entryFiles(dir);
  if (entry.result === 'failed' && files[0]) {
    const newest = await readEntryFile(join(dir, files[0])).catch(() => undefined);
    if (newest && newest.result === 'failed' && newest.stage === entry.stage && newest.content === entry.content) return false;
  }
  await writeAtomically(dir, entryFileName(options.now ?? Date.now()), JSON.stringify(entry) + '\n', options.mode & 0o666);
  const keep = Math.max(1, options.keep);
  // The file just written sorts first; everything past `keep` goes.
  for (const f of files.slice(keep - 1)) rmSync(join(dir, f), { force: true });
  return true;
};

const readEntryFile = async (path: string): Promise<HistoryEntry> => JSON.parse(await readFile(path, 'utf8')) as HistoryEntry;

// The digests worked out for each resource's entries at its last listing, by
// file name: an entry never changes once written, and the status page lists
// the same entries again and again. Only the files of the last listing are
// kept, so pruned entries leave no digest behind.
const digests = new Map<string, Map<string, string>>();

/** Every entry of a resource, newest first, numbered from 1, each with the sha256 of its content. */
export const listEntries = async (historyDir: string, resource: string): Promise<NumberedEntry[]> => {
  const dir = resourceHistoryDir(historyDir, resource);
  const files = entryFiles(dir);
  const known = digests.get(dir) ?? new Map<string, string>();
  const listed = new Map<string, string>();
  const out: NumberedEntry[] = [];
  for (const [i, file] of files.entries()) {
    const entry = await readEntryFile(join(dir, file));
    if (entry.sha256 === undefined && entry.content !== undefined) entry.sha256 = known.get(file) ?? sha256Hex(entry.content);
    if (entry.sha256 !== undefined) listed.set(file, entry.sha256);
    out.push({ ...entry, n: i + 1, file: join(dir, file) });
  }
  digests.set(dir, listed);
  return out;
};
