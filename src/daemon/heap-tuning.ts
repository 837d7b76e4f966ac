// The watch daemon lives for months and holds little, but every round makes
// short-lived garbage (a render of every key of its resources, the live file
// read back to compare). With V8's defaults for a short program the heap grew
// to several times what was live before a full collection: a daemon rendering
// 10,000 keys at 100 changes/s peaked at ~155 MB for ~15 MB live.
// --optimize-for-size keeps the young generation small and the old one close
// to what is live, for ~15-20 % more CPU under that load and nothing
// measurable at idle (bench/README.md, "Watch daemon memory and latency").
import { setFlagsFromString } from 'node:v8';

const FLAG = 'optimize-for-size';

/** Sets the daemon's heap policy, unless the operator chose one (node --[no-]optimize-for-size, NODE_OPTIONS). */
export const tuneHeapForDaemon = (): boolean => {
  const chosen = [...process.execArgv, process.env['NODE_OPTIONS'] ?? ''].some((arg) => arg.includes(FLAG));
  if (chosen) return false;
  setFlagsFromString(`--${FLAG}`);
  return true;
};
