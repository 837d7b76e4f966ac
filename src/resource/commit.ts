// Swapping the staged file onto dest, keeping the previous file until the
// reload has succeeded, and putting it back when it has not.
import { chown, copyFile, link, lstat, realpath, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDir, tempPathFor } from './stage-file.js';

export interface Commit {
  dest: string;
  /** Hidden hard link (or copy) of the previous dest; undefined when there was none. */
  backup: string | undefined;
}

const errnoOf = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | null)?.code;

/** The file to replace: a symlinked dest is swapped at its target, so the link survives. */
export const resolveDest = async (dest: string): Promise<string> => {
  try {
    return (await lstat(dest)).isSymbolicLink() ? await realpath(dest) : dest;
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return dest;
    throw err;
  }
};

// A hard link costs nothing and keeps content, mode and owner; filesystems
// without links get a copy with the same attributes.
const keepPrevious = async (dest: string): Promise<string | undefined> => {
  const backup = tempPathFor(dest, 'backup');
  try {
    await link(dest, backup);
    return backup;
  } catch (err) {
    const code = errnoOf(err);
    if (code === 'ENOENT') return undefined;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'EOPNOTSUPP') throw err;
  }
  const info = await stat(dest);
  await copyFile(dest, backup);
  await chown(backup, info.uid, info.gid);
  return backup;
};

/** Keeps the previous dest, then renames the staged file onto dest atomically. */
export const commitStaged = async (staged: string, dest: string): Promise<Commit> => {
  const backup = await keepPrevious(dest);
  try {
    await rename(staged, dest);
    await fsyncDir(dirname(dest));
  } catch (err) {
    if (backup) await rm(backup, { force: true });
    throw err;
  }
  return { dest, backup };
};

/** Puts the previous file back atomically, or removes dest when there was none. */
export const restorePrevious = async (commit: Commit): Promise<void> => {
  if (commit.backup) await rename(commit.backup, commit.dest);
  else await rm(commit.dest, { force: true });
  await fsyncDir(dirname(commit.dest));
};

/** Drops the backup once the new file is live. */
export const discardBackup = async (commit: Commit): Promise<void> => {
  if (commit.backup) await rm(commit.backup, { force: true });
};
