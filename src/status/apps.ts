// The blue/green apps found under the watched keys: an app is a key path with
// a live, blue/addr or green/addr key below it. Read with the blue/green state
// reader and health-probed on their own timer, never inside a round.
import type { Backend } from '../backends/backend.js';
import { probeHealth } from '../bluegreen/health.js';
import { appKeys, readState } from '../bluegreen/state.js';
import { COLORS, type Color } from '../bluegreen/types.js';
import { readCanaryView, type CanaryState, type Weights } from '../canary/state.js';
import { messageOf } from '../errors.js';

export interface AppColorStatus {
  color: Color;
  addr?: string;
  healthy: boolean;
  /** HTTP status, or why there was none. */
  health: string;
}

export interface AppStatus {
  /** The key path of the app ("/apps/shop"). */
  root: string;
  live?: Color;
  previous?: Color;
  colors: AppColorStatus[];
  /** The weight keys, when set. */
  weights?: Weights;
  /** A canary in progress. */
  canary?: CanaryState;
  error?: string;
}

const APP_KEY = /^(.*)\/(?:live|previous|(?:blue|green)\/addr)$/;

/** The app roots among the keys. */
export const findAppRoots = (keys: Iterable<string>): string[] => {
  const roots = new Set<string>();
  for (const key of keys) {
    const m = APP_KEY.exec(key);
    if (m?.[1]) roots.add(m[1]);
  }
  return [...roots].sort();
};

const splitRoot = (root: string): { prefix: string; app: string } => {
  const i = root.lastIndexOf('/');
  return { prefix: root.slice(0, i) || '/', app: root.slice(i + 1) };
};

export const readApps = async (backend: Backend, paths: readonly string[], probeTimeoutMs: number): Promise<AppStatus[]> => {
  if (paths.length === 0) return [];
  const { values } = await backend.getValues(paths);
  return Promise.all(
    findAppRoots(values.keys()).map(async (root): Promise<AppStatus> => {
      const { prefix, app } = splitRoot(root);
      try {
        const state = await readState(backend, appKeys(prefix, app), app);
        const colors = await Promise.all(
          COLORS.map(async (color): Promise<AppColorStatus> => {
            const addr = state.addr[color];
            const h = await probeHealth(addr, state.healthPath, probeTimeoutMs);
            return { color, ...(addr ? { addr } : {}), healthy: h.healthy, health: h.healthy ? `${h.status ?? ''} OK` : (h.error ?? 'unhealthy') };
          }),
        );
        const view = await readCanaryView(backend, root);
        return {
          root,
          ...(state.live ? { live: state.live } : {}),
          ...(state.previous ? { previous: state.previous } : {}),
          colors,
          ...(view.weights ? { weights: view.weights } : {}),
          ...(view.state ? { canary: view.state } : {}),
          ...(view.error ? { error: view.error } : {}),
        };
      } catch (err) {
        return { root, colors: [], error: messageOf(err) };
      }
    }),
  );
};
