// nginx and HAProxy blocks end with "}", so templates write `{{/each}}}`, which
// Handlebars reads as the "}}}" of a triple-stash and rejects. Such a "}}}"
// always closes a "{{" (else it would parse), so it can only mean "}}" then
// "}": one pass over the text puts an empty comment between them, and every
// position is reported in the original text's columns. The same pass measures
// block and sub-expression nesting, so a template nested deeper than any
// configuration needs fails with a position instead of overflowing the stack.
import type { TemplatePosition } from './errors.js';

const SEPARATOR = '{{!}}';

/** Deepest `{{#block}}` or `(sub expression)` nesting a template may use. */
export const MAX_NESTING = 100;

/** Maps positions in the repaired text back to the original. */
export interface PositionMap {
  original(pos: TemplatePosition): TemplatePosition;
}

interface Insertion {
  line: number;
  column: number;
}

const mapOf = (insertions: readonly Insertion[]): PositionMap => {
  const byLine = new Map<number, number[]>();
  for (const i of insertions) byLine.set(i.line, [...(byLine.get(i.line) ?? []), i.column]);
  return {
    original: ({ line, column }) => {
      const before = (byLine.get(line) ?? []).filter((c) => c <= column).length;
      return { line, column: column - before * SEPARATOR.length };
    },
  };
};

export const identityMap: PositionMap = mapOf([]);

/** A template nested too deeply; line is 1-based, column 0-based, as Handlebars reports. */
export class NestingError extends Error {
  override readonly name = 'NestingError';
  constructor(
    readonly lineNumber: number,
    readonly column: number,
  ) {
    super(`nesting deeper than ${MAX_NESTING} levels`);
  }
}

interface Scan {
  text: string;
  insertions: Insertion[];
}

/** The end of a quoted string starting at `from` (the quote), or -1. */
const stringEnd = (source: string, from: number): number => {
  const quote = source[from];
  for (let i = from + 1; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === quote) return i;
  }
  return -1;
};

/**
 * Splits every `}}}` that closes a `{{` tag into `}}{{!}}}` and checks nesting,
 * in one pass. Raw blocks (`{{{{`) are left alone: the parser's own errors
 * then apply. Linear in the length of the text.
 */
const scanTags = (source: string): Scan => {
  const out: string[] = [];
  const insertions: Insertion[] = [];
  let outLength = 0;
  let outLineStart = 0;
  let line = 1;
  let lineStart = 0;
  let copied = 0;
  let depth = 0;
  const copyTo = (end: number): void => {
    const piece = source.slice(copied, end);
    out.push(piece);
    const nl = piece.lastIndexOf('\n');
    if (nl >= 0) outLineStart = outLength + nl + 1;
    outLength += piece.length;
    copied = end;
  };
  const advanceLines = (from: number, to: number): void => {
    for (let nl = source.indexOf('\n', from); nl >= 0 && nl < to; nl = source.indexOf('\n', nl + 1)) {
      line += 1;
      lineStart = nl + 1;
    }
  };
  const tooDeep = (at: number): never => {
    advanceLines(copied, at);
    throw new NestingError(line, at - lineStart);
  };
  let pos = 0;
  for (;;) {
    const open = source.indexOf('{{', pos);
    if (open < 0) break;
    if (open > 0 && source[open - 1] === '\\') {
      pos = open + 2;
      continue;
    }
    if (source.startsWith('{{{{', open)) return { text: source, insertions: [] };
    let i = open + 2;
    if (source.startsWith('!--', i) || source.startsWith('~!--', i)) {
      const end = source.indexOf('--', source.indexOf('!--', i) + 3);
      const close = end < 0 ? -1 : source.indexOf('}}', end);
      if (close < 0) break;
      pos = close + 2;
      continue;
    }
    const triple = source[i] === '{';
    if (triple) i++;
    if (source[i] === '~') i++;
    const kind = source[i];
    if (kind === '!') {
      const close = source.indexOf('}}', i);
      if (close < 0) break;
      pos = close + 2;
      continue;
    }
    if (kind === '#' || (kind === '^' && /^\^\s*[^\s}~]/.test(source.slice(i, i + 40)))) {
      depth += 1;
      if (depth > MAX_NESTING) tooDeep(open);
    } else if (kind === '/') depth = Math.max(0, depth - 1);
    let parens = 0;
    let close = -1;
    for (; i < source.length; i++) {
      const c = source[i];
      if (c === '"' || c === "'") {
        const end = stringEnd(source, i);
        if (end < 0) break;
        i = end;
      } else if (c === '(') {
        parens += 1;
        if (parens > MAX_NESTING) tooDeep(i);
      } else if (c === ')') parens -= 1;
      else if (c === '}' && source[i + 1] === '}') {
        close = i;
        break;
      }
    }
    if (close < 0) break;
    const closeEnd = close + (triple && source[close + 2] === '}' ? 3 : 2);
    if (source[closeEnd] === '}') {
      advanceLines(copied, closeEnd);
      copyTo(closeEnd);
      insertions.push({ line, column: outLength - outLineStart + 1 });
      out.push(SEPARATOR);
      outLength += SEPARATOR.length;
    }
    pos = closeEnd;
  }
  if (insertions.length === 0) return { text: source, insertions };
  copyTo(source.length);
  return { text: out.join(''), insertions };
};

interface LexerLocation {
  first_line: number;
  first_column: number;
}

/**
 * Where to split a run of closing braces the parser just stopped at: after the
 * two (or, for a `{{{` tag, three) that close the tag. Undefined otherwise.
 */
const strayBraceSplit = (err: unknown, text: string, where: LexerLocation | undefined): number | undefined => {
  // "}}}" lexes as a triple-stash close, "}}}}" as a raw-block close.
  const stopped = err instanceof Error ? /Expecting (.*), got 'CLOSE_(?:UNESCAPED|RAW_BLOCK)'$/.exec(err.message) : null;
  if (!where || !stopped) return undefined;
  const closeLength = stopped[1]?.includes("'CLOSE'") ? 2 : stopped[1]?.includes("'CLOSE_UNESCAPED'") ? 3 : 0;
  let offset = 0;
  for (let line = 1; line < where.first_line; line++) offset = text.indexOf('\n', offset) + 1;
  offset += where.first_column;
  if (text.startsWith('~', offset)) offset++;
  return closeLength > 0 && text.startsWith('}'.repeat(closeLength + 1), offset) ? offset + closeLength : undefined;
};

export interface Parsed<T> {
  ast: T;
  map: PositionMap;
}

/**
 * Parses, repairing `}}}` after a `{{` tag. `where` reports the parser's last
 * token location after a failure. Throws what parse threw, with the map; a
 * NestingError when the template nests too deeply.
 */
export const parseRepairingBraces = <T>(
  source: string,
  parse: (text: string) => T,
  where: () => LexerLocation | undefined,
): Parsed<T> => {
  const scanned = scanTags(source);
  let text = scanned.text;
  const insertions = scanned.insertions;
  // What the single pass cannot see (a raw block, an unterminated string) is
  // repaired where the parser stops; each round fixes one more "}}}".
  for (;;) {
    try {
      return { ast: parse(text), map: mapOf(insertions) };
    } catch (err) {
      const at = strayBraceSplit(err, text, where());
      if (at === undefined) throw new ParseFailure(err, mapOf(insertions));
      insertions.push({ line: (where() as LexerLocation).first_line, column: at - text.lastIndexOf('\n', at - 1) });
      text = text.slice(0, at) + SEPARATOR + text.slice(at);
    }
  }
};

/** What parsing threw, with the map to report its position in original columns. */
export class ParseFailure extends Error {
  override readonly name = 'ParseFailure';
  constructor(
    readonly error: unknown,
    readonly map: PositionMap,
  ) {
    super(error instanceof Error ? error.message : String(error), { cause: error });
  }
}
