// Swapping the staged file onto dest, keeping the previous file until the
// reload has succeeded, and putting it back when it has not.
// The steps next to dest are synchronous but the directory's fsync and the
// backup's removal (see stage-file.ts).
import { linkSync, lstatSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { isPathUnder } from '../config/load-resources.js';
import type { TemplateResource } from '../config/resource.js';
import { chown, copyFile, readlink, realpath, rm, stat } from '../fs-callbacks.js';
import { fsyncDir, tempPathFor } from './stage-file.js';

export interface Commit {
  dest: string;
  /** Hidden hard link (or copy) of the previous dest; undefined when there was none. */
  backup: string | undefined;
}

const errnoOf = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | null)?.code;

const isSymlink = async (path: string): Promise<boolean | undefined> => {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return undefined;
    throw err;
  }
};

/** Where a chain of links ends, even when its last link dangles; the directory part without links. */
const linkTarget = async (link: string): Promise<string> => {
  let path = link;
  for (let hops = 0; hops < 40; hops++) {
    if ((await isSymlink(path)) !== true) return join(await realpath(dirname(path)), basename(path));
    path = resolve(dirname(path), await readlink(path));
  }
  throw new Error(`${link}: too many levels of symbolic links`);
};

const realDir = (dir: string): Promise<string> => realpath(dir).catch(() => dir);

/**
 * The file to replace. A symlinked dest is swapped at its target, so the link
 * survives (a dangling link's target is created), when the resource allows it:
 * follow_symlinks = true anywhere, unset only into dest's own directory tree
 * or a dest_dirs directory, false never.
 */
export const resolveDest = async (resource: Pick<TemplateResource, 'dest' | 'followSymlinks' | 'destDirs'>): Promise<string> => {
  const { dest, followSymlinks } = resource;
  if ((await isSymlink(dest)) !== true) return dest;
  if (followSymlinks === false) {
    throw new Error(`${dest} is a symbolic link and follow_symlinks = false: refusing to write through it`);
  }
  const target = await linkTarget(dest);
  if (followSymlinks === true) return target;
  const roots = await Promise.all([dirname(dest), ...(resource.destDirs ?? [])].map(realDir));
  if (roots.some((root) => isPathUnder(target, root))) return target;
  throw new Error(
    `${dest} is a symbolic link to ${target}, outside ${roots.join(' and ')}: refusing to write through it ` +
      '(set follow_symlinks = true in the resource, or add the directory to dest_dirs)',
  );
};

// A hard link costs nothing and keeps content, mode and owner; filesystems
// without links get a copy with the same attributes.
const keepPrevious = async (dest: string): Promise<string | undefined> => {
  const backup = tempPathFor(dest, 'backup');
  try {
    linkSync(dest, backup);
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

/**
 * Keeps the previous dest, then renames the staged file onto dest atomically:
 * from here on dest shows the new content. The staged file was fsync'd before
 * (stage-file.ts), so whenever the rename reaches the disk, a crash leaves the
 * old file or the new one, whole, never an empty or partial one; flushCommit()
 * is what makes the rename itself survive a crash.
 */
export const commitStaged = async (staged: string, dest: string): Promise<Commit> => {
  const backup = await keepPrevious(dest);
  try {
    renameSync(staged, dest);
  } catch (err) {
    if (backup) rmSync(backup, { force: true });
    throw err;
  }
  return { dest, backup };
};

/** Makes the rename of commitStaged() durable (the directory's fsync). */
export const flushCommit = (commit: Commit): Promise<void> => fsyncDir(dirname(commit.dest));

/** Puts the previous file back atomically, or removes dest when there was none. */
export const restorePrevious = async (commit: Commit): Promise<void> => {
  if (commit.backup) renameSync(commit.backup, commit.dest);
  else rmSync(commit.dest, { force: true });
  await fsyncDir(dirname(commit.dest));
};

/**
 * Drops the backup once the new file is live. It holds the previous file's
 * last link, so this unlink frees that file (its blocks, through the
 * filesystem's journal): on the thread pool, not on the loop that takes the
 * next change.
 */
export const discardBackup = async (commit: Commit): Promise<void> => {
  if (commit.backup) await rm(commit.backup, { force: true });
};
