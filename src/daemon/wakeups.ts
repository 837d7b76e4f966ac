// A change of a resource's keys wakes it once its burst of changes has
// settled (its own `wait`, else the global --wait): one debouncer per resource.
import type { Quiescence } from '../config/resource.js';
import { createDebouncer, type Debouncer } from './quiescence.js';

export interface Wakeups {
  /** A key of this resource changed. */
  touch(name: string): void;
  /** Forgets every pending change (SIGHUP, stop). */
  cancelAll(): void;
}

export const createWakeups = (waitOf: (name: string) => Quiescence | undefined, settled: (name: string) => void): Wakeups => {
  const debouncers = new Map<string, Debouncer>();
  return {
    touch: (name) => {
      let d = debouncers.get(name);
      if (!d) {
        d = createDebouncer(waitOf(name), () => settled(name));
        debouncers.set(name, d);
      }
      d.touch();
    },
    cancelAll: () => {
      for (const d of debouncers.values()) d.cancel();
      debouncers.clear();
    },
  };
};
