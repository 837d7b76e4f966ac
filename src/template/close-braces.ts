// nginx and HAProxy blocks end with "}", so templates write `{{/each}}}`, which
// Handlebars reads as the "}}}" of a triple-stash and rejects. Such a "}}}"
// always closes a "{{" (else it would parse), so it can only mean "}}" then
// "}": parse again with an empty comment between them, and report every
// position in the original text's columns.
import type { TemplatePosition } from './errors.js';

const SEPARATOR = '{{!}}';
const MAX_REPAIRS = 1000;

/** Maps positions in the repaired text back to the original. */
export interface PositionMap {
  original(pos: TemplatePosition): TemplatePosition;
}

interface Insertion {
  line: number;
  column: number;
}

const mapOf = (insertions: readonly Insertion[]): PositionMap => ({
  original: ({ line, column }) => {
    const before = insertions.filter((i) => i.line === line && i.column <= column).length;
    return { line, column: column - before * SEPARATOR.length };
  },
});

export const identityMap: PositionMap = mapOf([]);

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
 * token location after a failure. Throws what parse threw, with the map.
 */
export const parseRepairingBraces = <T>(
  source: string,
  parse: (text: string) => T,
  where: () => LexerLocation | undefined,
): Parsed<T> => {
  let text = source;
  const insertions: Insertion[] = [];
  for (;;) {
    try {
      return { ast: parse(text), map: mapOf(insertions) };
    } catch (err) {
      const at = insertions.length < MAX_REPAIRS ? strayBraceSplit(err, text, where()) : undefined;
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
