// Verifies through the proxy that the new color really serves traffic.
// Convention: a response names its color in the X-Color header, or else its
// body contains the color as a word and not the other one ("green 2").
// The example app does both.
import { messageOf } from '../errors.js';
import { httpGet, pollUntil, type HttpResponse } from './http-get.js';
import { COLORS, isColor, type Color } from './types.js';

export const servedColor = (res: HttpResponse): Color | undefined => {
  const header = res.headers['x-color'];
  const value = (Array.isArray(header) ? header[0] : header)?.trim().toLowerCase();
  if (isColor(value)) return value;
  const named = COLORS.filter((c) => new RegExp(`\\b${c}\\b`, 'i').test(res.body));
  return named.length === 1 ? named[0] : undefined;
};

export interface VerifyOptions {
  timeoutMs: number;
  intervalMs: number;
  requestTimeoutMs: number;
  /** How many answers in a row must name the color (old keep-alive workers may still answer once). */
  consecutive: number;
}

export interface VerifyResult {
  ok: boolean;
  /** What the last answer was: a color, "unidentified (status 502)", or an error. */
  last: string;
}

export const verifyServes = async (url: string, color: Color, options: VerifyOptions): Promise<VerifyResult> => {
  let streak = 0;
  let last = 'no answer yet';
  const ok = await pollUntil(
    async () => {
      try {
        const res = await httpGet(url, options.requestTimeoutMs);
        const served = servedColor(res);
        last = served ?? `unidentified answer (status ${res.status})`;
        streak = served === color ? streak + 1 : 0;
      } catch (err) {
        last = messageOf(err);
        streak = 0;
      }
      return streak >= options.consecutive;
    },
    options.timeoutMs,
    options.intervalMs,
  );
  return { ok, last };
};
