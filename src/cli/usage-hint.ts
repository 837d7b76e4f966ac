// One step further than "Unknown argument": name the flag that was meant.
import { confdOnlyAdvice } from '../config/confd-toml.js';
import { closestName } from '../config/suggest.js';

/** " (did you mean --confdir?)" for each unknown flag close to a known one; "" otherwise. */
export const unknownFlagHint = (message: string, knownFlags: readonly string[]): string => {
  const match = /^Unknown arguments?: (.*)$/.exec(message);
  if (!match) return '';
  const hints: string[] = [];
  for (const typed of (match[1] ?? '').split(', ')) {
    const confdOnly = confdOnlyAdvice(typed);
    const meant = closestName(typed, knownFlags.filter((f) => f.length > 1 && !/[A-Z]/.test(f)));
    if (confdOnly) hints.push(`--${typed}: ${confdOnly}`);
    else if (meant) hints.push(`--${typed}: did you mean --${meant}?`);
  }
  return hints.join('\n');
};
