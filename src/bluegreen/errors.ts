// A blue/green operation that failed at one step, e.g. "health" or "verify".
// The message says which app, which step, why, and where traffic stayed.

export type BlueGreenStep =
  | 'read' | 'addr' | 'start' | 'health' | 'switch' | 'verify' | 'converge' | 'drain' | 'stop' | 'restore' | 'return'
  // The canary's own: refused or stopped, the metric source, a step's write, an interval's numbers, the final write.
  | 'canary' | 'metrics' | 'weights' | 'measure' | 'promote';

export class BlueGreenError extends Error {
  override readonly name = 'BlueGreenError';
  constructor(
    readonly app: string,
    readonly step: BlueGreenStep,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${app}: ${step} failed: ${detail}`, options);
  }
}
