// The watch daemon lives for months, and every round makes short-lived
// garbage: a render of every key of its resources, the live file read back
// to compare. With V8's defaults for a short program, a daemon rendering
// 10,000 keys at 100 changes/s let its heap grow to several times what was
// live before a full collection (~155 MB peak RSS for ~15 MB live).
// --optimize-for-size keeps the heap close to what is live, but costs CPU and
// latency (change → file p50 +16 % with 1,000 keys). It has to be on before
// the heap grows (set after the first large round, the peak was still
// 130 MB), so the daemon starts with it and turns it off again when its
// first snapshot turns out small (bench/README.md, "Watch daemon memory and
// latency").
import { setFlagsFromString } from 'node:v8';

const FLAG = 'optimize-for-size';

/** Snapshots at least this large keep the heap at --optimize-for-size. */
export const LARGE_SNAPSHOT_KEYS = 5_000;

export interface HeapTuning {
  /** A round's snapshot held this many keys; returns the flag it set, if any. */
  observe(keys: number): string | undefined;
}

/**
 * Sets --optimize-for-size now, unless the operator chose a policy (node
 * --[no-]optimize-for-size, NODE_OPTIONS); the first snapshot decides whether it stays.
 */
export const createHeapTuning = (set: (flags: string) => void = setFlagsFromString): HeapTuning => {
  let decided = [...process.execArgv, process.env['NODE_OPTIONS'] ?? ''].some((arg) => arg.includes(FLAG));
  if (!decided) set(`--${FLAG}`);
  return {
    observe: (keys) => {
      if (decided) return undefined;
      decided = true;
      if (keys >= LARGE_SNAPSHOT_KEYS) return undefined;
      set(`--no-${FLAG}`);
      return `--no-${FLAG}`;
    },
  };
};
