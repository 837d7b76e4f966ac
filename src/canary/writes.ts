// The canary's writes, each one transaction guarded by the canary key: the
// first claims an absent key (so a second canary is refused), every later one
// requires the value this runner wrote last (so an abort, which clears the
// key, makes the runner's next write fail instead of undoing the abort).
import type { Backend, KeyWrite, Transactions } from '../backends/backend.js';
import type { AppKeys } from '../bluegreen/state.js';
import { COLORS, type Color } from '../bluegreen/types.js';
import { canaryKeys, type CanaryKeys, type CanaryState, type Weights } from './state.js';

export type CanaryStore = Backend & Transactions;

const weightWrites = (keys: CanaryKeys, weights: Weights | undefined): KeyWrite[] =>
  COLORS.map((c) => ({ key: keys.weight(c), value: weights === undefined ? undefined : String(weights[c]) }));

/** Writes the first step's weights and the state if no canary runs; false when one does. */
export const claimCanary = (backend: CanaryStore, app: AppKeys, state: CanaryState): Promise<boolean> => {
  const keys = canaryKeys(app.root);
  return backend.putMany([...weightWrites(keys, state.weights), { key: keys.state, value: JSON.stringify(state) }], [{ key: keys.state, value: undefined }]);
};

/** Writes a step's weights and state; false when the canary key no longer holds `mine`. */
export const advanceCanary = (backend: CanaryStore, app: AppKeys, mine: string, next: CanaryState): Promise<boolean> => {
  const keys = canaryKeys(app.root);
  return backend.putMany([...weightWrites(keys, next.weights), { key: keys.state, value: JSON.stringify(next) }], [{ key: keys.state, value: mine }]);
};

/** All traffic to `color`, the canary key removed; guarded by `mine` (undefined: unguarded). */
export const restoreWeights = (backend: CanaryStore, app: AppKeys, color: Color, mine: string | undefined): Promise<boolean> => {
  const keys = canaryKeys(app.root);
  const weights = { blue: 0, green: 0, [color]: 100 } as Weights;
  return backend.putMany([...weightWrites(keys, weights), { key: keys.state, value: undefined }], mine === undefined ? [] : [{ key: keys.state, value: mine }]);
};

/** live = `to` (previous = `from`), weights and canary key removed; false when the key no longer holds `mine`. */
export const promoteCanary = (backend: CanaryStore, app: AppKeys, mine: string, from: Color, to: Color): Promise<boolean> => {
  const keys = canaryKeys(app.root);
  return backend.putMany(
    [{ key: app.previous, value: from }, { key: app.live, value: to }, ...weightWrites(keys, undefined), { key: keys.state, value: undefined }],
    [{ key: keys.state, value: mine }],
  );
};
