// Go's path.Match, which confd's gets/getvs use: `*` matches any run of
// characters except "/", `?` one such character, `[...]` a class
// (`[^...]` negated, `a-z` ranges), `\` escapes. The whole name must match.

/** Thrown for a malformed pattern (Go's path.ErrBadPattern). */
export class BadPatternError extends Error {
  override readonly name = 'BadPatternError';
  constructor(readonly pattern: string) {
    super(`syntax error in pattern ${JSON.stringify(pattern)}`);
  }
}

const literal = (ch: string): string => `\\u{${(ch.codePointAt(0) as number).toString(16)}}`;

const compile = (pattern: string): RegExp => {
  const chars = Array.from(pattern);
  let i = 0;
  const bad = (): never => {
    throw new BadPatternError(pattern);
  };
  // One character of a class, with its escape; "-" and "]" must be escaped.
  const classChar = (): string => {
    let ch = chars[i];
    if (ch === undefined || ch === '-' || ch === ']') return bad();
    if (ch === '\\') ch = chars[++i] ?? bad();
    i++;
    return ch;
  };
  const charClass = (): string => {
    const negated = chars[i] === '^';
    if (negated) i++;
    const parts: string[] = [];
    for (let first = true; ; first = false) {
      if (chars[i] === ']' && !first) break;
      const lo = classChar();
      let hi = lo;
      if (chars[i] === '-') {
        i++;
        hi = classChar();
      }
      // Go accepts an inverted range and never matches it.
      if ((lo.codePointAt(0) as number) <= (hi.codePointAt(0) as number)) parts.push(`${literal(lo)}-${literal(hi)}`);
    }
    i++;
    if (parts.length === 0) return negated ? '[^]' : '(?!)';
    return `[${negated ? '^' : ''}${parts.join('')}]`;
  };
  let source = '^';
  while (i < chars.length) {
    const ch = chars[i++] as string;
    if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else if (ch === '[') source += charClass();
    else if (ch === '\\') source += literal(chars[i++] ?? bad());
    else source += literal(ch);
  }
  return new RegExp(`${source}$`, 'u');
};

const cache = new Map<string, RegExp>();

/** Compiles (once) and checks a pattern; throws BadPatternError. */
export const globPattern = (pattern: string): RegExp => {
  let re = cache.get(pattern);
  if (!re) {
    re = compile(pattern);
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, re);
  }
  return re;
};

/** True when the whole name matches the pattern. */
export const matchPath = (pattern: string, name: string): boolean => globPattern(pattern).test(name);
