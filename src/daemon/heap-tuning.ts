// The watch daemon lives for months, and every round makes short-lived
// garbage: a render of every key of its resources, the live file read back
// to compare. With V8's defaults for a short program, a daemon rendering
// 10,000 keys at 100 changes/s let its heap grow to several times what was
// live before a full collection (~155 MB peak RSS for ~15 MB live).
// --optimize-for-size keeps the heap close to what is live, but costs CPU and
// latency (change → file p50 +16 % with 1,000 keys), so it is set only once a
// round's snapshot holds many keys; small daemons stay small without it
// (bench/README.md, "Watch daemon memory and latency").
import { setFlagsFromString } from 'node:v8';

const FLAG = 'optimize-for-size';

/** Snapshots at least this large switch the heap to --optimize-for-size. */
export const LARGE_SNAPSHOT_KEYS = 5_000;

export interface HeapTuning {
  /** A round's snapshot held this many keys; true when this switched the heap policy. */
  observe(keys: number): boolean;
}

/** Unless the operator chose a policy (node --[no-]optimize-for-size, NODE_OPTIONS), the daemon picks one. */
export const createHeapTuning = (set: (flags: string) => void = setFlagsFromString): HeapTuning => {
  let decided = [...process.execArgv, process.env['NODE_OPTIONS'] ?? ''].some((arg) => arg.includes(FLAG));
  return {
    observe: (keys) => {
      if (decided || keys < LARGE_SNAPSHOT_KEYS) return false;
      decided = true;
      set(`--${FLAG}`);
      return true;
    },
  };
};
