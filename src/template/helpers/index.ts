// Every helper a template can call, by name.
import type { HelperTable } from '../state.js';
import { bluegreenHelpers } from './bluegreen.js';
import { consulTemplateHelpers } from './consul-template.js';
import { dataHelpers } from './data.js';
import { goBuiltinHelpers } from './go-builtins.js';
import { kvHelpers } from './kv.js';
import { logicHelpers } from './logic.js';
import { mathHelpers } from './math.js';
import { netHelpers } from './net.js';
import { proxySafeHelpers } from './proxy-safe.js';
import { stringHelpers } from './strings.js';
import { systemHelpers } from './system.js';

export const allHelpers: HelperTable = {
  ...kvHelpers,
  ...stringHelpers,
  ...dataHelpers,
  ...mathHelpers,
  ...logicHelpers,
  ...systemHelpers,
  ...netHelpers,
  ...proxySafeHelpers,
  ...bluegreenHelpers,
  ...goBuiltinHelpers,
  ...consulTemplateHelpers,
};
