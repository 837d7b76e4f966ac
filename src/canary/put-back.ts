// Putting all traffic back on the old color when a canary stops: one guarded
// transaction, retried for a bounded time when the store does not answer.
import type { AppKeys } from '../bluegreen/state.js';
import type { Color } from '../bluegreen/types.js';
import { messageOf } from '../errors.js';
import { restoreWeights, type CanaryStore } from './writes.js';

export interface PutBackOptions {
  attempts: number;
  /** Pause after a failed attempt; doubled each time up to 8× this. */
  backoffMs: number;
  sleep: (ms: number) => Promise<void>;
  /** One line per failed attempt. */
  progress: (line: string) => void;
}

/**
 * 'restored': weights are 100/0 and the canary key is gone. 'changed': the
 * canary key no longer held `mine` (an abort already put the weights back).
 * Throws naming the last failure when every attempt failed.
 */
export const putWeightsBack = async (
  backend: CanaryStore,
  keys: AppKeys,
  color: Color,
  mine: string,
  options: PutBackOptions,
): Promise<'restored' | 'changed'> => {
  let pause = options.backoffMs;
  let last: unknown;
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    try {
      return (await restoreWeights(backend, keys, color, mine)) ? 'restored' : 'changed';
    } catch (err) {
      last = err;
      options.progress(`   putting the weights back failed (attempt ${attempt}/${options.attempts}): ${messageOf(err)}`);
      if (attempt < options.attempts) await options.sleep(pause);
      pause = Math.min(pause * 2, options.backoffMs * 8);
    }
  }
  throw new Error(`could not put the weights back to ${color} 100 after ${options.attempts} attempts: ${messageOf(last)}`, { cause: last });
};
