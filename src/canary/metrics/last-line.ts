// The last complete line of a file (undefined when it has none), read from
// its end: a check of a log's format must not read a gigabyte.
import { open } from 'node:fs/promises';

const TAIL_BYTES = 64 * 1024;

export const lastLineOf = async (path: string): Promise<string | undefined> => {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const length = Math.min(size, TAIL_BYTES);
    const buf = Buffer.alloc(length);
    await fh.read(buf, 0, length, size - length);
    const text = buf.toString('utf8');
    const end = text.lastIndexOf('\n');
    if (end < 0) return undefined;
    const lines = text.slice(0, end).split('\n');
    const last = lines.at(-1);
    // A line that begins before the bytes read is cut: not worth judging.
    return last === undefined || (lines.length === 1 && length < size) || last.trim() === '' ? undefined : last;
  } finally {
    await fh.close();
  }
};
