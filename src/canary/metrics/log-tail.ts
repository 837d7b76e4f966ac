// Follows a log file from a mark: the complete lines appended since, across
// rotation. The file stays open, so lines written to a renamed file before
// the writer reopens the path are still read; once the path names another
// file (another inode), the old one is read to its end and the new one from
// its start. A file shorter than the position read (truncated in place, as
// copytruncate does) is read again from its start. A last line without its
// newline waits for the next read.
import { open, stat, type FileHandle } from 'node:fs/promises';

const CHUNK = 64 * 1024;
/** A "line" longer than this is not a log line: it is dropped. */
const MAX_LINE = 1024 * 1024;

export interface LogTail {
  /** From now on: forgets everything before the current end of the file. */
  mark(): Promise<void>;
  /** Calls onLine for each complete line appended since the last call (or mark). */
  readNew(onLine: (line: string) => void): Promise<void>;
  close(): Promise<void>;
}

interface Open {
  fh: FileHandle;
  ino: number;
  pos: number;
}

export const openLogTail = async (path: string): Promise<LogTail> => {
  const openAt = async (atEnd: boolean): Promise<Open> => {
    const fh = await open(path, 'r');
    const info = await fh.stat();
    return { fh, ino: info.ino, pos: atEnd ? info.size : 0 };
  };
  let file = await openAt(true);
  let carry = Buffer.alloc(0);

  const emit = (chunk: Buffer, onLine: (line: string) => void): void => {
    let data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10)) {
      onLine(data.subarray(0, nl).toString('utf8'));
      data = data.subarray(nl + 1);
    }
    carry = data.length > MAX_LINE ? Buffer.alloc(0) : Buffer.from(data);
  };

  const drain = async (onLine: (line: string) => void): Promise<void> => {
    if ((await file.fh.stat()).size < file.pos) {
      file.pos = 0; // truncated in place
      carry = Buffer.alloc(0);
    }
    const buf = Buffer.alloc(CHUNK);
    for (;;) {
      const { bytesRead } = await file.fh.read(buf, 0, CHUNK, file.pos);
      if (bytesRead === 0) return;
      file.pos += bytesRead;
      emit(buf.subarray(0, bytesRead), onLine);
    }
  };

  // The inode the path names now; undefined while nothing is there (rotated, not yet reopened).
  const pathIno = async (): Promise<number | undefined> => {
    try {
      return (await stat(path)).ino;
    } catch {
      return undefined;
    }
  };

  const switchFile = async (atEnd: boolean): Promise<void> => {
    const next = await openAt(atEnd);
    await file.fh.close();
    file = next;
    carry = Buffer.alloc(0);
  };

  return {
    mark: async () => {
      const ino = await pathIno();
      if (ino !== undefined && ino !== file.ino) await switchFile(true);
      else file.pos = (await file.fh.stat()).size;
      carry = Buffer.alloc(0);
    },
    readNew: async (onLine) => {
      await drain(onLine);
      const ino = await pathIno();
      if (ino === undefined || ino === file.ino) return;
      await switchFile(false);
      await drain(onLine);
    },
    close: () => file.fh.close(),
  };
};
