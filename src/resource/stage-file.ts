// The staged file and the backup of the previous dest live next to dest, so
// the final rename is atomic (same filesystem). Their names are hidden and
// recognisable, which lets a later run remove what a killed run left behind.
//
// The small steps next to dest (open, write, chmod, link, rename, stat) are
// synchronous: each takes microseconds on a local disk, and through the
// thread pool each was a trip to another thread and back, which on a busy
// machine cost more than the step itself (change → file waited on ~16 of them).
//
// The staged file's fsync is synchronous too. It must finish before the
// rename (it is what keeps a crash from leaving an empty or partial dest), and
// nothing else on the loop can move the change forward meanwhile; through the
// thread pool it cost two thread wake-ups more, which on a busy machine added
// to the tail of change → file (bench/README.md, "etcd change → file tail":
// p99 0.74–0.81× with it synchronous). The price: for that moment (~2 ms,
// tens of ms on a busy disk) the loop answers nothing else; a status request,
// a signal or another watch's event waits until it is done. The directory's
// fsync and the backup's removal come after dest is live and stay on the
// thread pool, so they never hold up the next change.
import { closeSync, fchmodSync, fchownSync, fsyncSync, mkdirSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { TemplateResource } from '../config/resource.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import { fsyncFd } from '../fs-callbacks.js';
import { randomHex } from '../hex.js';
import type { WantedState } from './file-state.js';

type TempKind = 'stage' | 'backup';

const TEMP_NAME = /^\.(.+)\.switchyard-(?:stage|backup)-[0-9a-f]{12}$/;

/** `.<dest-basename>.switchyard-<kind>-<random>` in dest's directory. */
export const tempPathFor = (dest: string, kind: TempKind): string =>
  join(dirname(dest), `.${basename(dest)}.switchyard-${kind}-${randomHex(6)}`);

/** True for a staged or backup file that belongs to this dest. */
export const isTempFileOf = (dest: string, fileName: string): boolean =>
  TEMP_NAME.exec(fileName)?.[1] === basename(dest);

/** Flushes a directory entry change (create, rename, unlink) to disk. */
export const fsyncDir = async (dir: string): Promise<void> => {
  const fd = openSync(dir, 'r');
  try {
    await fsyncFd(fd);
  } finally {
    closeSync(fd);
  }
};

/** Writes all of `data` at the file's position (writeSync may write less than asked). */
const writeAll = (fd: number, data: Buffer): void => {
  for (let at = 0; at < data.length; ) at += writeSync(fd, data, at, data.length - at);
};

/** Writes the new content to a fresh hidden file with the wanted mode and owner, fsync'd (blocking: see above). */
export const writeStageFile = async (dest: string, wanted: WantedState): Promise<string> => {
  mkdirSync(dirname(dest), { recursive: true });
  const path = tempPathFor(dest, 'stage');
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeAll(fd, Buffer.from(wanted.content, 'utf8'));
    fchmodSync(fd, wanted.mode);
    if (wanted.uid !== undefined || wanted.gid !== undefined) fchownSync(fd, wanted.uid ?? -1, wanted.gid ?? -1);
    fsyncSync(fd);
  } catch (err) {
    rmSync(path, { force: true });
    throw err;
  } finally {
    closeSync(fd);
  }
  return path;
};

/**
 * Removes staged/backup files a killed run left in the dest directories;
 * returns how many. Synchronous, as the other small steps next to dest: at
 * start-up its listing was a one-shot's first trip to the thread pool.
 */
export const cleanStaleStageFiles = (resources: TemplateResource[], logger: Logger): number => {
  let removed = 0;
  const byDir = new Map<string, Set<string>>();
  for (const r of resources) {
    const dests = byDir.get(dirname(r.dest)) ?? new Set<string>();
    byDir.set(dirname(r.dest), dests.add(r.dest));
  }
  for (const [dir, dests] of byDir) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') logger.warn('cannot list dest directory', { dir, err: messageOf(err) });
      continue;
    }
    for (const name of names) {
      if (![...dests].some((dest) => isTempFileOf(dest, name))) continue;
      const path = join(dir, name);
      try {
        rmSync(path, { force: true });
        removed += 1;
        logger.info('removed stale stage file', { path });
      } catch (err) {
        logger.warn('cannot remove stale stage file', { path, err: messageOf(err) });
      }
    }
  }
  return removed;
};
