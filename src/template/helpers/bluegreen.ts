// `bluegreen DIR`: one blue/green application's keys under DIR (relative to
// the resource prefix), checked, as one object for `{{#with}}`:
//
//   {{#with (bluegreen "/")}}
//   {{#each servers}}server {{color}} {{addr}} weight {{weight}}
//   {{/each}}{{/with}}
//
//   live     "blue" or "green" (DIR/live; required)
//   idle     the other color
//   weighted true when DIR/weight/blue or DIR/weight/green is set (a canary runs)
//   blue, green   {color, addr, weight}: addr from DIR/<color>/addr (host:port,
//                 checked as hostPort checks it; absent when the key is), weight
//                 from DIR/weight/<color>
//   servers  [blue, green], each color that has an addr
//
// Without weight keys the live color weighs 100 and the other 0, so a
// template written for `live` alone serves exactly as before. With one key
// only, the other color gets the rest of 100. A weight that is not an
// integer 0-100, two that do not sum to 100, or a color with weight above 0
// and no addr fails the render naming the key and the value.
import { asString, expectArity } from '../args.js';
import { HelperError, quoteValue } from '../errors.js';
import type { HelperScope, HelperTable } from '../state.js';
import { requireValue } from './kv.js';
import { checkedKeyValue } from './proxy-safe.js';

// The template engine does not import src/bluegreen (which imports it): the colors again.
const COLORS = ['blue', 'green'] as const;
type Color = (typeof COLORS)[number];

export interface ColorServer {
  color: Color;
  addr?: string;
  weight: number;
}

export interface BlueGreenView {
  live: Color;
  idle: Color;
  weighted: boolean;
  blue: ColorServer;
  green: ColorServer;
  servers: ColorServer[];
}

const FULL = 100;

const under = (dir: string, name: string): string => `${dir.replace(/\/+$/, '')}/${name}`;

const readLive = (scope: HelperScope, dir: string): Color => {
  const key = under(dir, 'live');
  const value = requireValue(scope, key).trim();
  if (value === 'blue' || value === 'green') return value;
  throw new HelperError(`key ${JSON.stringify(key)} (${scope.state.view.fullKey(key)}): value ${quoteValue(value)} is not blue or green`, key);
};

/** Each color's weight: from the keys, or 100 for live and 0 for the other. */
const readWeights = (scope: HelperScope, dir: string, live: Color): { weights: Record<Color, number>; weighted: boolean } => {
  const keys = { blue: under(dir, 'weight/blue'), green: under(dir, 'weight/green') };
  const raw = { blue: scope.state.view.get(keys.blue), green: scope.state.view.get(keys.green) };
  const read = (color: Color): number | undefined => {
    const value = raw[color];
    return value === undefined ? undefined : Number(checkedKeyValue(scope, 'int', keys[color], value, { min: 0, max: FULL }));
  };
  const blue = read('blue');
  const green = read('green');
  if (blue === undefined && green === undefined) {
    return { weights: { blue: live === 'blue' ? FULL : 0, green: live === 'green' ? FULL : 0 }, weighted: false };
  }
  if (blue !== undefined && green !== undefined && blue + green !== FULL) {
    const full = (color: Color) => `${scope.state.view.fullKey(keys[color])} = ${quoteValue(raw[color] ?? '')}`;
    throw new HelperError(`weights ${full('blue')} and ${full('green')} sum to ${blue + green}, not ${FULL}`, keys.blue);
  }
  return { weights: { blue: blue ?? FULL - (green ?? 0), green: green ?? FULL - (blue ?? 0) }, weighted: true };
};

const readServer = (scope: HelperScope, dir: string, color: Color, weight: number): ColorServer => {
  const key = under(dir, `${color}/addr`);
  const value = scope.state.view.get(key);
  // A color that gets traffic needs an address: requireValue names the key.
  if (value === undefined && weight > 0) requireValue(scope, key);
  return value === undefined ? { color, weight } : { color, addr: checkedKeyValue(scope, 'hostPort', key, value), weight };
};

export const bluegreenHelpers: HelperTable = {
  bluegreen: (scope, args) => {
    expectArity(args, 1, 1, 'DIR');
    const dir = asString(args[0], 'DIR');
    const live = readLive(scope, dir);
    const { weights, weighted } = readWeights(scope, dir, live);
    const blue = readServer(scope, dir, 'blue', weights.blue);
    const green = readServer(scope, dir, 'green', weights.green);
    const view: BlueGreenView = {
      live,
      idle: live === 'blue' ? 'green' : 'blue',
      weighted,
      blue,
      green,
      servers: [blue, green].filter((s) => s.addr !== undefined),
    };
    return view;
  },
};
