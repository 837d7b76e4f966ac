// One step further than "Unknown argument": name the flag or the command that was meant.
import { confdOnlyAdvice } from '../config/confd-toml.js';
import { closestName } from '../config/suggest.js';

/**
 * "--confdri: did you mean --confdir?" for each unknown flag close to a known
 * one, and "rendr: did you mean switchyard render?" for an unknown word given
 * where a command goes (the first argument that is not a flag); "" otherwise.
 */
export const unknownFlagHint = (message: string, knownFlags: readonly string[], args: readonly string[] = [], commands: readonly string[] = []): string => {
  const match = /^Unknown arguments?: (.*)$/.exec(message);
  if (!match) return '';
  const hints: string[] = [];
  const firstWord = args.find((a) => !a.startsWith('-'));
  for (const typed of (match[1] ?? '').split(', ')) {
    if (typed === firstWord) {
      const command = closestName(typed, commands);
      if (command) hints.push(`${typed}: did you mean switchyard ${command}?`);
      continue;
    }
    const confdOnly = confdOnlyAdvice(typed);
    const meant = closestName(typed, knownFlags.filter((f) => f.length > 1 && !/[A-Z]/.test(f)));
    if (confdOnly) hints.push(`--${typed}: ${confdOnly}`);
    else if (meant) hints.push(`--${typed}: did you mean --${meant}?`);
  }
  return hints.join('\n');
};
