// Runs an operation step by step, printing each as it happens and recording
// the outcome, so a failure says which step failed and where traffic stayed.
import { messageOf } from '../errors.js';
import type { BlueGreenContext } from './context.js';
import { BlueGreenError, type BlueGreenStep } from './errors.js';
import type { Color } from './types.js';

export interface StepRecord {
  step: BlueGreenStep;
  what: string;
  ok: boolean;
  ms: number;
  detail?: string;
}

export interface OperationResult {
  app: string;
  operation: string;
  ok: boolean;
  /** Live color before and after the operation. */
  from?: Color;
  live?: Color;
  steps: StepRecord[];
  error?: { step: BlueGreenStep; message: string };
}

export interface Steps {
  readonly result: OperationResult;
  /** Runs fn as one step; any error becomes a BlueGreenError of this step. */
  run<T>(step: BlueGreenStep, what: string, fn: () => Promise<T>): Promise<T>;
  /** A line of progress that is not a step (a warning, a skipped step). */
  note(line: string): void;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;

const createSteps = (ctx: BlueGreenContext, result: OperationResult): Steps => ({
  result,
  note: (line) => ctx.progress(`   ${line}`),
  run: async (step, what, fn) => {
    const started = Date.now();
    ctx.progress(`-> ${what}`);
    try {
      const value = await fn();
      result.steps.push({ step, what, ok: true, ms: Date.now() - started });
      ctx.progress(`   ok (${seconds(Date.now() - started)})`);
      return value;
    } catch (err) {
      const detail = err instanceof BlueGreenError ? err.detail : messageOf(err);
      result.steps.push({ step, what, ok: false, ms: Date.now() - started, detail });
      ctx.progress(`   FAILED: ${detail}`);
      throw err instanceof BlueGreenError ? err : new BlueGreenError(ctx.app, step, detail, { cause: err });
    }
  },
});

/** Runs an operation; a BlueGreenError ends it with ok: false instead of throwing. */
export const recordOperation = async (
  ctx: BlueGreenContext,
  operation: string,
  body: (steps: Steps) => Promise<void>,
): Promise<OperationResult> => {
  const result: OperationResult = { app: ctx.app, operation, ok: true, steps: [] };
  try {
    await body(createSteps(ctx, result));
  } catch (err) {
    if (!(err instanceof BlueGreenError)) throw err;
    result.ok = false;
    result.error = { step: err.step, message: err.message };
  }
  return result;
};
