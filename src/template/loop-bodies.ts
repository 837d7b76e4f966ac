// Loop bodies made of text and plain reads of the item (`{{this}}`, `{{.}}`,
// `{{key}}`, `{{this.key}}`), found when a template compiles, and rendered per
// item without Handlebars' runtime: `{{#each (gets "/x/*")}}{{key}}={{value}}
// {{/each}}` over ten thousand keys spends its time on the keys, not on a
// frame, an options object and a helper lookup per key.
//
// An item the short way cannot render exactly as Handlebars would (the field
// is missing, inherited, or not a string; the item is a function, or not a
// string where it is printed) gets undefined back, and the loop renders it through the compiled
// body as before. Which bodies qualify is decided from the parsed template;
// field names that are also helpers never do.

import { forEachAstNode } from './ast-walk.js';

interface AstNode {
  type: string;
  loc?: { start: { line: number; column: number } };
  path?: { type: string; original?: unknown; parts?: unknown[]; data?: boolean; depth?: number; this?: boolean };
  params?: unknown[];
  hash?: unknown;
  program?: { body?: unknown[]; blockParams?: unknown[] };
  value?: unknown;
}

/** Renders one item of a loop, or undefined when that item needs the compiled body. */
export type LoopBody = (item: unknown) => string | undefined;

/** Loop bodies by the `line:column` of their #each (in the parsed text, as Handlebars reports it to the helper). */
export type LoopBodies = ReadonlyMap<string, LoopBody>;

export const loopBodyKey = (loc: { start: { line: number; column: number } }): string => `${loc.start.line}:${loc.start.column}`;

/** A piece of a body: literal text, the item itself, or a field of it (`viaHelpers`: a bare name, which Handlebars first looks up as a helper). */
type Piece = { text: string } | { self: true } | { field: string };

const isNode = (v: unknown): v is AstNode => typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';

/**
 * A value's text when the compiled body would concatenate it as a string: a
 * string, or nothing for null. (The body is one `+` chain of its pieces, so
 * two numbers in a row would be added, not joined: such items take the
 * compiled body.)
 */
const printable = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value;
  return value == null ? '' : undefined;
};

const pieceOf = (node: AstNode, isHelper: (name: string) => boolean): Piece | undefined => {
  if (node.type === 'ContentStatement') return typeof node.value === 'string' ? { text: node.value } : undefined;
  if (node.type === 'CommentStatement') return { text: '' };
  if (node.type !== 'MustacheStatement') return undefined;
  const path = node.path;
  if ((node.params?.length ?? 0) > 0 || node.hash !== undefined || path?.type !== 'PathExpression') return undefined;
  if (path.data === true || path.depth !== 0 || !Array.isArray(path.parts)) return undefined;
  if (path.parts.length === 0) return { self: true };
  const [name] = path.parts;
  if (path.parts.length !== 1 || typeof name !== 'string') return undefined;
  // A bare name is a helper first (and `constructor` is never a plain field to Handlebars).
  if (name === 'constructor' || (path.this !== true && isHelper(name))) return undefined;
  return { field: name };
};

/** The body as a function of the item, when every statement is a piece. */
const loopBodyOf = (statements: unknown[], isHelper: (name: string) => boolean): LoopBody | undefined => {
  const pieces: Piece[] = [];
  for (const statement of statements) {
    const piece = isNode(statement) ? pieceOf(statement, isHelper) : undefined;
    if (!piece) return undefined;
    pieces.push(piece);
  }
  return (item) => {
    let out = '';
    for (const piece of pieces) {
      if ('text' in piece) {
        out += piece.text;
        continue;
      }
      // Handlebars calls an item that is a function; a field's value too.
      if (typeof item === 'function') return undefined;
      let value: unknown = item;
      if ('field' in piece) {
        if (item == null) value = undefined;
        else if (typeof item === 'object' && Object.hasOwn(item, piece.field)) value = (item as Record<string, unknown>)[piece.field];
        else return undefined;
        if (value == null) return undefined; // a missing field goes to helperMissing
      }
      const text = printable(value);
      if (text === undefined) return undefined;
      out += text;
    }
    return out;
  };
};

/**
 * The loop bodies of a template's `{{#each X}}` blocks that qualify (one
 * argument, no hash, no block params). `isHelper` tells the names a bare
 * `{{name}}` would call as a helper.
 */
export const findLoopBodies = (root: unknown, isHelper: (name: string) => boolean): LoopBodies => {
  const bodies = new Map<string, LoopBody>();
  forEachAstNode(root, (node) => {
    const value = node as AstNode;
    if (value.type !== 'BlockStatement' || value.path?.original !== 'each' || value.path.type !== 'PathExpression' || !value.loc) return;
    if (value.params?.length !== 1 || value.hash !== undefined || (value.program?.blockParams?.length ?? 0) > 0) return;
    const body = loopBodyOf(value.program?.body ?? [], isHelper);
    if (body) bodies.set(loopBodyKey(value.loc), body);
  });
  return bodies;
};
