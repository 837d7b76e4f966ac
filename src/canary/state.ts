// The canary's keys beside an app's live key: weight/blue and weight/green
// (integers 0–100 summing to 100), and `canary`, one JSON value saying who
// runs the canary, since when, and at which step. Read by `bluegreen status`
// and the status page.
import { messageOf } from '../errors.js';
import type { Backend } from '../backends/backend.js';
import { joinKey } from '../backends/keys.js';
import { COLORS, isColor, type Color } from '../bluegreen/types.js';

export interface CanaryKeys {
  /** <prefix>/<app>/canary */
  state: string;
  /** <prefix>/<app>/weight/<color> */
  weight(color: Color): string;
}

export const canaryKeys = (root: string): CanaryKeys => ({
  state: joinKey(root, 'canary'),
  weight: (color) => joinKey(root, 'weight', color),
});

export type Weights = Record<Color, number>;

/** The numbers of the last finished interval. */
export interface MeasuredStep {
  step: number;
  requests: number;
  failures: number;
  ratePercent: number;
}

export interface CanaryState {
  /** The color live when the canary began, and the one it moves traffic to. */
  from: Color;
  to: Color;
  /** --steps: the new color's percentage at each step. */
  steps: number[];
  /** 1-based: the step in progress. */
  step: number;
  weights: Weights;
  startedAt: string;
  stepStartedAt: string;
  /** Who runs it. */
  pid: number;
  host: string;
  last?: MeasuredStep;
}

/** { blue: 90, green: 10 } for a step of 10% toward green. */
export const weightsFor = (to: Color, percent: number): Weights =>
  to === 'green' ? { blue: 100 - percent, green: percent } : { blue: percent, green: 100 - percent };

export const formatWeights = (w: Weights): string => COLORS.map((c) => `${c} ${w[c]}`).join(', ');

const isWeight = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 100;

/** The state, or a message saying what is wrong with the stored value. */
export const parseCanaryState = (text: string): CanaryState | string => {
  let v: Partial<CanaryState>;
  try {
    v = JSON.parse(text) as Partial<CanaryState>;
  } catch (err) {
    return `not JSON (${messageOf(err)})`;
  }
  const ok =
    typeof v === 'object' && v !== null &&
    isColor(v.from) && isColor(v.to) &&
    Array.isArray(v.steps) && v.steps.every(isWeight) &&
    typeof v.step === 'number' && typeof v.startedAt === 'string' && typeof v.stepStartedAt === 'string' &&
    typeof v.pid === 'number' && typeof v.host === 'string' &&
    typeof v.weights === 'object' && v.weights !== null && COLORS.every((c) => isWeight(v.weights?.[c]));
  return ok ? (v as CanaryState) : `not a canary state: ${text.slice(0, 200)}`;
};

/** "pid 4242 on web-1 since 2026-12-01T16:00:00.000Z, step 2/3 (blue 50, green 50)" */
export const describeRunner = (s: CanaryState): string =>
  `pid ${s.pid} on ${s.host} since ${s.startedAt}, step ${s.step}/${s.steps.length} (${formatWeights(s.weights)})`;

export interface CanaryView {
  /** The stored value as is (the guard of the next write). */
  raw?: string;
  state?: CanaryState;
  /** A canary key whose value is not a canary state. */
  error?: string;
  /** The weight keys, when both are set to valid weights. */
  weights?: Weights;
}

/** What the store says about an app's canary and weights, from one read of the app's keys. */
export const canaryViewOf = (values: ReadonlyMap<string, string>, keys: CanaryKeys): CanaryView => {
  const view: CanaryView = {};
  const raw = values.get(keys.state);
  if (raw !== undefined && raw !== '') {
    view.raw = raw;
    const parsed = parseCanaryState(raw);
    if (typeof parsed === 'string') view.error = `${keys.state}: ${parsed}`;
    else view.state = parsed;
  }
  const w = COLORS.map((c) => values.get(keys.weight(c)));
  if (w.every((x) => x !== undefined && /^[0-9]{1,3}$/.test(x) && Number(x) <= 100)) {
    view.weights = { blue: Number(w[0]), green: Number(w[1]) };
  }
  return view;
};

export const readCanaryView = async (backend: Backend, root: string): Promise<CanaryView> => {
  const keys = canaryKeys(root);
  const { values } = await backend.getValues([keys.state, joinKey(root, 'weight')]);
  return canaryViewOf(values, keys);
};
