// Coalesces bursts of changes: after a change wait `minMs` for more, but
// never longer than `maxMs` after the first one (consul-template's `wait`).
import type { Quiescence } from '../config/resource.js';

export interface Debouncer {
  /** Records a change; `fire` runs once the burst has settled. */
  touch(): void;
  cancel(): void;
}

export const createDebouncer = (wait: Quiescence | undefined, fire: () => void): Debouncer => {
  let minTimer: NodeJS.Timeout | undefined;
  let maxTimer: NodeJS.Timeout | undefined;
  const run = (): void => {
    clearTimeout(minTimer);
    clearTimeout(maxTimer);
    minTimer = maxTimer = undefined;
    fire();
  };
  return {
    touch: () => {
      if (!wait || wait.minMs === 0) {
        fire();
        return;
      }
      clearTimeout(minTimer);
      minTimer = setTimeout(run, wait.minMs);
      maxTimer ??= setTimeout(run, wait.maxMs);
    },
    cancel: () => {
      clearTimeout(minTimer);
      clearTimeout(maxTimer);
      minTimer = maxTimer = undefined;
    },
  };
};
