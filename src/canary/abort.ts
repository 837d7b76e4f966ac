// bluegreen abort: all traffic back to the live color and the canary key
// cleared in one transaction; live stays as it is. The running canary sees
// its key change and stops.
import type { AppKeys } from '../bluegreen/state.js';
import { isColor, type Color } from '../bluegreen/types.js';
import { BlueGreenError } from '../bluegreen/errors.js';
import { messageOf } from '../errors.js';
import { canaryKeys, describeRunner, readCanaryView, type CanaryView, type Weights } from './state.js';
import { restoreWeights, type CanaryStore } from './writes.js';

export interface AbortResult {
  app: string;
  operation: 'abort';
  ok: boolean;
  live?: Color;
  /** The canary that was stopped. */
  stopped?: string;
  weights?: Weights;
  error?: { step: string; message: string };
}

/** A canary key that changes between the read and the write (a step) is read again, this many times. */
const ATTEMPTS = 5;

export const abortCanary = async (backend: CanaryStore, keys: AppKeys, app: string): Promise<AbortResult> => {
  const stateKey = canaryKeys(keys.root).state;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    let view: CanaryView;
    let live: string | undefined;
    try {
      const { values } = await backend.getValues([keys.live]);
      live = values.get(keys.live);
      view = await readCanaryView(backend, keys.root);
    } catch (err) {
      throw new BlueGreenError(app, 'read', messageOf(err), { cause: err });
    }
    if (view.raw === undefined) throw new BlueGreenError(app, 'canary', `no canary is running (${stateKey} is not set)`);
    const color = isColor(live) ? live : view.state?.from;
    if (!color) throw new BlueGreenError(app, 'read', `${keys.live} is ${JSON.stringify(live ?? null)}, expected blue or green`);
    let written: boolean;
    try {
      written = await restoreWeights(backend, keys, color, view.raw);
    } catch (err) {
      throw new BlueGreenError(app, 'restore', `putting the weights back to ${color} 100: ${messageOf(err)}`, { cause: err });
    }
    if (written) {
      return {
        app,
        operation: 'abort',
        ok: true,
        live: color,
        ...(view.state ? { stopped: describeRunner(view.state) } : {}),
        weights: { blue: 0, green: 0, [color]: 100 } as Weights,
      };
    }
  }
  throw new BlueGreenError(app, 'canary', `${stateKey} changed ${ATTEMPTS} times while aborting; try again`);
};
