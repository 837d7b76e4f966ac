// What one render may cost: wall time and output size. Helpers run
// synchronously, so the clock is read while helpers and loop bodies run
// (every few hundred steps), and output is measured where it grows: each
// helper's result, each loop's accumulated body, the whole text.
import { HelperError } from './errors.js';

export interface RenderLimits {
  /** A render that runs longer fails (ms). */
  timeoutMs: number;
  /** A render whose output, or any part of it, grows larger fails (characters). */
  maxOutput: number;
}

export const DEFAULT_RENDER_LIMITS: RenderLimits = { timeoutMs: 10_000, maxOutput: 16 * 1024 * 1024 };

/** How many steps run between two looks at the clock. */
const CLOCK_EVERY = 256;

export interface RenderBudget {
  readonly limits: RenderLimits;
  /** One step: a helper call or a loop iteration. Throws HelperError past the deadline. */
  step(): void;
  /** Throws HelperError when `length` characters exceed the output limit; `what` names them. */
  checkOutput(length: number, what: string): void;
}

const formatSize = (n: number): string =>
  n >= 1024 * 1024 && n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)}MiB` : n >= 1024 && n % 1024 === 0 ? `${n / 1024}KiB` : `${n} bytes`;

export const createBudget = (limits: RenderLimits): RenderBudget => {
  const deadline = Date.now() + limits.timeoutMs;
  let steps = 0;
  return {
    limits,
    step: () => {
      steps += 1;
      if (steps % CLOCK_EVERY === 0 && Date.now() > deadline) {
        throw new HelperError(`render took longer than ${limits.timeoutMs} ms (render timeout, --render-timeout) after ${steps} steps`);
      }
    },
    checkOutput: (length, what) => {
      if (length > limits.maxOutput) {
        throw new HelperError(`${what} is larger than the output limit of ${formatSize(limits.maxOutput)} (--render-max-output)`);
      }
    },
  };
};
