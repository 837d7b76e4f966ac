// What `bluegreen status` adds about weights and a canary in progress.
import { describeRunner, formatWeights, type CanaryView } from './state.js';

/** The JSON fields: weights when set, canary when one is in progress (or its key is unreadable). */
export const canaryStatusFields = (view: CanaryView): { weights?: CanaryView['weights']; canary?: object } => ({
  ...(view.weights ? { weights: view.weights } : {}),
  ...(view.state ? { canary: { ...view.state, inProgress: true } } : view.error ? { canary: { inProgress: true, error: view.error } } : {}),
});

/** Lines under the status table; empty without weights or a canary. */
export const formatCanaryStatus = (view: CanaryView): string => {
  const lines: string[] = [];
  if (view.weights) lines.push(`weights: ${formatWeights(view.weights)}`);
  const s = view.state;
  if (s) {
    const last = s.last ? `; step ${s.last.step}: ${s.last.requests} requests, error rate ${s.last.ratePercent}%` : '';
    lines.push(`canary in progress: ${s.from} -> ${s.to}, steps ${s.steps.join(',')}, ${describeRunner(s)}${last}`);
  } else if (view.error) lines.push(`canary: ${view.error}`);
  return lines.map((l) => l + '\n').join('');
};
