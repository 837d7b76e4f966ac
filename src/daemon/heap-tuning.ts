// The watch daemon lives for months, and every round makes short-lived
// garbage: a render of every key of its resources, the live file read back
// to compare. With V8's defaults for a short program, a daemon rendering
// 10,000 keys at 100 changes/s let its heap grow to several times what was
// live before a full collection (~155 MB peak RSS for ~15 MB live).
// --optimize-for-size keeps the old generation close to what is live, but
// costs CPU and latency (change → file p50 +16 % with 1,000 keys). The young
// generation it leaves alone: V8 doubles it whenever a scavenge finds much
// still alive, which a round of 10,000 keys always does, up to 16 MB
// committed, and the large strings of the rounds in between wait for a full
// collection (~15 MB more at the peak). --semi-space-growth-factor=1 (V8
// reads it at each growth) holds it at its starting size: peak RSS under
// that load 97–101 → ~80 MB, for ~10 % more CPU in those rounds (change →
// file p50 at 10,000 keys 40–41 → 43–44 ms; at 50,000 the same).
// Both have to be on before the heap grows (set after the first large round,
// the peak was still 130 MB), so the daemon starts with them and turns them
// off again when its first snapshot turns out small (bench/README.md,
// "Watch daemon memory and latency" and "The daemon's young generation").
import { setFlagsFromString } from 'node:v8';

/** The memory policy, and V8's defaults to go back to (`node --v8-options`). */
const SMALL_HEAP = ['--optimize-for-size', '--semi-space-growth-factor=1'];
const V8_DEFAULTS = ['--no-optimize-for-size', '--semi-space-growth-factor=2'];
/**
 * An operator who names either flag, or sizes the young generation, has
 * chosen a policy: node's own arguments (`node --no-optimize-for-size
 * bin/switchyard`), or NODE_OPTIONS, which of these takes only
 * --max-semi-space-size (the single executable takes nothing else). V8
 * reads `_` as `-` in a flag's name.
 */
const OPERATOR_FLAGS = ['optimize-for-size', 'semi-space'];
const namesPolicy = (arg: string): boolean => OPERATOR_FLAGS.some((flag) => arg.replaceAll('_', '-').includes(flag));
const givenToNode = (): string[] => [...process.execArgv, process.env['NODE_OPTIONS'] ?? ''];

/** Snapshots at least this large keep the heap small. */
export const LARGE_SNAPSHOT_KEYS = 5_000;

export interface HeapTuning {
  /** A round's snapshot held this many keys; returns the flags it set, if any. */
  observe(keys: number): string | undefined;
}

/**
 * Sets the small-heap flags now, unless the operator chose a policy (in
 * `given`: node's arguments and NODE_OPTIONS); the first snapshot decides
 * whether they stay.
 */
export const createHeapTuning = (set: (flags: string) => void = setFlagsFromString, given: readonly string[] = givenToNode()): HeapTuning => {
  let decided = given.some(namesPolicy);
  if (!decided) for (const flag of SMALL_HEAP) set(flag);
  return {
    observe: (keys) => {
      if (decided) return undefined;
      decided = true;
      if (keys >= LARGE_SNAPSHOT_KEYS) return undefined;
      for (const flag of V8_DEFAULTS) set(flag);
      return V8_DEFAULTS.join(' ');
    },
  };
};
