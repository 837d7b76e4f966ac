// The limits of one render (--render-timeout, --render-max-output) from the
// merged option values: the run reads them with its other options, `render`
// on its own; both through renderLimitsOf, so they parse and refuse alike.
import type { ConfigError } from '../errors.js';
import { DEFAULT_RENDER_LIMITS, type RenderLimits } from '../template/limits.js';
import { parseDuration } from './duration.js';
import { showValue } from './show-value.js';

const SIZE = /^([0-9]{1,12})\s*(B|KiB|MiB|GiB|K|M|G)?$/i;
const SIZE_UNITS: Record<string, number> = { b: 1, k: 1024, kib: 1024, m: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gib: 1024 ** 3 };

/** "16MiB" → 16777216; undefined for anything else (or zero). */
const parseSize = (text: string): number | undefined => {
  const m = SIZE.exec(text.trim());
  const n = m ? Number(m[1]) * (SIZE_UNITS[(m[2] ?? 'b').toLowerCase()] ?? 1) : 0;
  return n > 0 && Number.isSafeInteger(n) ? n : undefined;
};

/** The error for a bad value of an option (by RunOptions name), naming where the value came from. */
export type InvalidOption = (name: string, detail: string) => ConfigError;

/** The defaults, overridden by `renderTimeout` and `renderMaxOutput` where given. */
export const renderLimitsOf = (m: Readonly<Record<string, unknown>>, invalid: InvalidOption): RenderLimits => {
  const limits = { ...DEFAULT_RENDER_LIMITS };
  if (m['renderTimeout'] !== undefined) {
    const ms = parseDuration(String(m['renderTimeout']));
    if (ms === undefined || ms <= 0) throw invalid('renderTimeout', `${showValue(String(m['renderTimeout']))} is not a duration`);
    limits.timeoutMs = ms;
  }
  if (m['renderMaxOutput'] !== undefined) {
    const size = parseSize(String(m['renderMaxOutput']));
    if (size === undefined) throw invalid('renderMaxOutput', `${showValue(String(m['renderMaxOutput']))} is not a size such as 16MiB`);
    limits.maxOutput = size;
  }
  return limits;
};
