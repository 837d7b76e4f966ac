// Finds the `include` directives of an nginx config file. A small tokenizer
// that follows nginx's own rules (blanks, `;`, `{`, `}`, `#` comments,
// quoted strings with backslash escapes, `${var}`) so an include inside a
// comment or a string is never mistaken for one.

export interface IncludeDirective {
  /** Offset of the `include` word. */
  start: number;
  /** Offset just after the terminating `;`. */
  end: number;
  /** The (unquoted) path or pattern. */
  path: string;
}

const BLANK = /\s/;

const readQuoted = (text: string, at: number): { word: string; next: number } => {
  const quote = text[at];
  let word = '';
  let i = at + 1;
  while (i < text.length && text[i] !== quote) {
    if (text[i] === '\\' && i + 1 < text.length) i += 1;
    word += text[i];
    i += 1;
  }
  return { word, next: i + 1 };
};

const readBare = (text: string, at: number): { word: string; next: number } => {
  let i = at;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (BLANK.test(c) || c === ';' || c === '{' || c === '}') break;
    if (c === '$' && text[i + 1] === '{') {
      const close = text.indexOf('}', i);
      i = close < 0 ? text.length : close + 1;
      continue;
    }
    i += c === '\\' ? 2 : 1;
  }
  return { word: text.slice(at, i), next: i };
};

export const scanIncludes = (text: string): IncludeDirective[] => {
  const found: IncludeDirective[] = [];
  let words: string[] = [];
  let start = -1;
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (BLANK.test(c)) {
      i += 1;
    } else if (c === '#') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl + 1;
    } else if (c === ';' || c === '{' || c === '}') {
      if (c === ';' && words[0] === 'include' && words[1] !== undefined) found.push({ start, end: i + 1, path: words[1] });
      words = [];
      i += 1;
    } else {
      const { word, next } = c === '"' || c === "'" ? readQuoted(text, i) : readBare(text, i);
      if (words.length === 0) start = i;
      words.push(word);
      i = next;
    }
  }
  return found;
};

/** An include directive for a literal path, quoted for nginx. */
export const includeLine = (path: string): string => `include "${path.replace(/["\\]/g, '\\$&')}";`;
