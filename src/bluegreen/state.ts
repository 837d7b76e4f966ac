// Reads and writes one application's keys under <prefix>/<app>/:
// live, previous, blue/addr, green/addr and health.
import type { Backend } from '../backends/backend.js';
import { joinKey } from '../backends/keys.js';
import { messageOf } from '../errors.js';
import { BlueGreenError } from './errors.js';
import { DEFAULT_HEALTH_PATH, isColor, type AppState, type Color } from './types.js';

export interface AppKeys {
  root: string;
  live: string;
  previous: string;
  health: string;
  addr(color: Color): string;
}

export const appKeys = (prefix: string, app: string): AppKeys => {
  const root = joinKey(prefix, app);
  return {
    root,
    live: joinKey(root, 'live'),
    previous: joinKey(root, 'previous'),
    health: joinKey(root, 'health'),
    addr: (color) => joinKey(root, color, 'addr'),
  };
};

const colorAt = (app: string, key: string, value: string | undefined): Color | undefined => {
  if (value === undefined || value === '') return undefined;
  if (isColor(value)) return value;
  throw new BlueGreenError(app, 'read', `${key} is ${JSON.stringify(value)}, expected blue or green`);
};

/** The application's state; healthPath (a flag) wins over the health key. */
export const readState = async (backend: Backend, keys: AppKeys, app: string, healthPath?: string): Promise<AppState> => {
  let values: Map<string, string>;
  try {
    values = (await backend.getValues([keys.root])).values;
  } catch (err) {
    throw new BlueGreenError(app, 'read', messageOf(err), { cause: err });
  }
  const state: AppState = {
    addr: { blue: values.get(keys.addr('blue')) || undefined, green: values.get(keys.addr('green')) || undefined },
    healthPath: healthPath ?? (values.get(keys.health) || DEFAULT_HEALTH_PATH),
  };
  const live = colorAt(app, keys.live, values.get(keys.live));
  const previous = colorAt(app, keys.previous, values.get(keys.previous));
  if (live) state.live = live;
  if (previous) state.previous = previous;
  return state;
};

/** Makes `color` live and remembers `previous` for rollback. */
export const writeLive = async (backend: Backend, keys: AppKeys, app: string, color: Color, previous?: Color): Promise<void> => {
  if (!backend.put) throw new BlueGreenError(app, 'switch', `the ${backend.name} backend cannot write keys`);
  try {
    if (previous) await backend.put(keys.previous, previous);
    await backend.put(keys.live, color);
  } catch (err) {
    throw new BlueGreenError(app, 'switch', `writing ${keys.live}: ${messageOf(err)}`, { cause: err });
  }
};

/** Puts live and previous back to what they were before a failed switch. */
export const restoreLive = async (backend: Backend, keys: AppKeys, app: string, before: AppState): Promise<void> => {
  const putOrDelete = async (key: string, value: string | undefined): Promise<void> => {
    if (value !== undefined && backend.put) return backend.put(key, value);
    if (value === undefined && backend.delete) return backend.delete(key);
    throw new Error(`the ${backend.name} backend cannot ${value === undefined ? 'delete' : 'write'} ${key}`);
  };
  try {
    await putOrDelete(keys.live, before.live);
    await putOrDelete(keys.previous, before.previous);
  } catch (err) {
    throw new BlueGreenError(app, 'restore', `putting ${keys.live} back: ${messageOf(err)}`, { cause: err });
  }
};
