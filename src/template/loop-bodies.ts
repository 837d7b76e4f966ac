// Loop bodies made of text, plain reads of the item (`{{this}}`, `{{.}}`,
// `{{key}}`, `{{this.key}}`) and calls of pure helpers on the item's fields
// (`{{safeToken (base key)}}`, helpers/pure.ts), found when a template
// compiles, and rendered per item without Handlebars' runtime: `{{#each (gets
// "/x/*")}}{{key}}={{value}}{{/each}}` over ten thousand keys spends its time
// on the keys, not on a frame, an options object and a helper lookup per key.
//
// An item the short way cannot render exactly as Handlebars would (a field
// is missing, inherited, or not a string where it is printed; the item is a
// function, or not a string where it is printed) gets undefined back, and
// the loop renders it through the compiled body as before. That is decided
// from the item before any helper runs, so no helper runs twice for an item.
// A helper is called as Handlebars would call it (the same arguments, `this`,
// position and name in its errors, steps against the budget: helper-call.ts).
// Which bodies qualify is decided from the parsed template; field names that
// are also helpers, or block parameters anywhere in the template, never do.

import { forEachAstNode, isAstNode } from './ast-walk.js';
import { callHelper } from './helper-call.js';
import type { PureHelper } from './helpers/pure.js';
import type { HelperOptions, HelperScope, ItemRenderer, LoopBodies, LoopBody, RenderState } from './state.js';

interface AstNode {
  type: string;
  loc?: { start: { line: number; column: number } };
  path?: { type: string; original?: unknown; parts?: unknown[]; data?: boolean; depth?: number; this?: boolean };
  params?: unknown[];
  hash?: unknown;
  program?: { body?: unknown[]; blockParams?: unknown[] };
  value?: unknown;
}


export const loopBodyKey = (loc: { start: { line: number; column: number } }): string => `${loc.start.line}:${loc.start.column}`;

/** What findLoopBodies needs to know of the helpers. */
export interface HelperLookup {
  /** Whether a bare `{{name}}` would call a helper. */
  isHelper(name: string): boolean;
  /** The helper of that name when it is pure (helpers/pure.ts). */
  pure?(name: string): PureHelper | undefined;
}

/** The item itself, a field of it (read into `slot` before anything runs), a literal, or a helper call. */
type Value = { self: true } | { slot: number } | { literal: unknown } | { call: Call };
/** A helper call: `index` numbers the calls of one body. */
interface Call {
  index: number;
  name: string;
  helper: PureHelper;
  /** The options Handlebars gives a call without hash or block: its name, an empty hash, its position. */
  options: HelperOptions;
  args: Value[];
}
/** A piece of a body: literal text, or a value printed. */
type Piece = { text: string } | { print: Value };
/** A field the body reads; `printed` ones must be strings. */
interface Read {
  field: string;
  printed: boolean;
}

const NO_HASH: Record<string, unknown> = Object.freeze({});


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

/** Turns the parsed body into pieces, collecting the fields it reads. */
class BodyBuilder {
  readonly reads: Read[] = [];
  readonly calls: Call[] = [];
  constructor(
    private readonly helpers: HelperLookup,
    private readonly blockParams: ReadonlySet<string>,
  ) {}

  /** A path of depth 0 without data: its one name, '' for the item itself; undefined otherwise. */
  private nameOf(path: AstNode['path']): string | undefined {
    if (path?.type !== 'PathExpression' || path.data === true || path.depth !== 0 || !Array.isArray(path.parts)) return undefined;
    if (path.parts.length === 0) return '';
    const [name] = path.parts;
    if (path.parts.length !== 1 || typeof name !== 'string' || this.blockParams.has(name)) return undefined;
    return name;
  }

  private field(name: string, printed: boolean): Value {
    this.reads.push({ field: name, printed });
    return { slot: this.reads.length - 1 };
  }

  /** `helper arg…` (at least one argument, no hash) when the helper is pure. */
  private call(node: AstNode): Value | undefined {
    const path = node.path;
    const name = this.nameOf(path);
    if (!name || path?.original !== name || node.hash !== undefined || !node.params?.length || !node.loc) return undefined;
    const helper = this.helpers.pure?.(name);
    if (!helper) return undefined;
    const args: Value[] = [];
    for (const param of node.params) {
      const arg = isAstNode<AstNode>(param) ? this.argument(param) : undefined;
      if (!arg) return undefined;
      args.push(arg);
    }
    const call: Call = { index: this.calls.length, name, helper, options: { name, hash: NO_HASH, loc: node.loc }, args };
    this.calls.push(call);
    return { call };
  }

  /** A helper's argument: the item, a field, a literal or a call. */
  private argument(node: AstNode): Value | undefined {
    if (node.type === 'StringLiteral' || node.type === 'NumberLiteral' || node.type === 'BooleanLiteral') return { literal: node.value };
    if (node.type === 'SubExpression') return this.call(node);
    if (node.type !== 'PathExpression') return undefined;
    const name = this.nameOf(node as AstNode['path']);
    if (name === undefined || name === 'constructor') return undefined;
    return name === '' ? { self: true } : this.field(name, false);
  }

  piece(node: AstNode): Piece | undefined {
    if (node.type === 'ContentStatement') return typeof node.value === 'string' ? { text: node.value } : undefined;
    if (node.type === 'CommentStatement') return { text: '' };
    if (node.type !== 'MustacheStatement') return undefined;
    if ((node.params?.length ?? 0) > 0 || node.hash !== undefined) {
      const call = this.call(node);
      return call && { print: call };
    }
    const name = this.nameOf(node.path);
    if (name === undefined) return undefined;
    if (name === '') return { print: { self: true } };
    // A bare name is a helper first (and `constructor` is never a plain field to Handlebars).
    if (name === 'constructor' || (node.path?.this !== true && this.helpers.isHelper(name))) return undefined;
    return { print: this.field(name, true) };
  }
}

/** The body as a function of the item, when every statement is a piece. */
const loopBodyOf = (statements: unknown[], helpers: HelperLookup, blockParams: ReadonlySet<string>): LoopBody | undefined => {
  const builder = new BodyBuilder(helpers, blockParams);
  const pieces: Piece[] = [];
  for (const statement of statements) {
    const piece = isAstNode<AstNode>(statement) ? builder.piece(statement) : undefined;
    if (!piece) return undefined;
    pieces.push(piece);
  }
  const { reads, calls } = builder;
  // The body as texts around printed values, texts[0] printed[0] texts[1] …,
  // adjacent texts joined: an item costs one concatenation per value printed.
  const texts: string[] = [''];
  const printed: Value[] = [];
  for (const piece of pieces) {
    if ('text' in piece) texts[texts.length - 1] += piece.text;
    else {
      printed.push(piece.print);
      texts.push('');
    }
  }
  // A printed field's slot (read already), -1 for another value.
  const printedSlots = printed.map((v) => ('slot' in v ? v.slot : -1));
  const fields = reads.map((r) => r.field);
  const mustBeString = reads.map((r) => r.printed);
  const printsSelf = printed.some((v) => 'self' in v);
  // Handlebars calls an item that is a function, and a field's value too.
  const readsItem = printed.length > 0;
  return (state) => {
    // One scope and one argument list per call, reused from item to item:
    // pure helpers keep neither, and call no other helper or loop body.
    const scopes = calls.map((c) => ({ state, options: c.options, self: undefined as unknown }));
    const argLists = calls.map((c) => new Array<unknown>(c.args.length));
    const slots = new Array<unknown>(reads.length);
    const valueOf = (v: Value, item: unknown): unknown => {
      if ('slot' in v) return slots[v.slot];
      if ('self' in v) return item;
      if ('literal' in v) return v.literal;
      const { index, name, helper, args } = v.call;
      const list = argLists[index] as unknown[];
      for (let i = 0; i < args.length; i++) list[i] = valueOf(args[i] as Value, item);
      const scope = scopes[index] as { self: unknown } & HelperScope;
      scope.self = item;
      return callHelper(name, helper, scope, list);
    };
    return (item) => {
      if (readsItem && typeof item === 'function') return undefined;
      if (printsSelf && printable(item) === undefined) return undefined;
      if (fields.length > 0 && (typeof item !== 'object' || item === null)) return undefined;
      for (let i = 0; i < fields.length; i++) {
        const field = fields[i] as string;
        if (!Object.hasOwn(item as object, field)) return undefined;
        const value = (item as Record<string, unknown>)[field];
        // A missing field goes to helperMissing; a printed one must be a string.
        if (typeof value !== 'string' && mustBeString[i] === true) return undefined;
        slots[i] = value;
      }
      let out = texts[0] as string;
      for (let i = 0; i < printedSlots.length; i++) {
        const slot = printedSlots[i] as number;
        const value = slot >= 0 ? slots[slot] : valueOf(printed[i] as Value, item);
        // What is not a string prints as nothing (null, or what a helper returned).
        out += (typeof value === 'string' ? value : '') + (texts[i + 1] as string);
      }
      return out;
    };
  };
};

/** Every block parameter name the template declares (`as |x i|`). */
const blockParamNames = (root: unknown): Set<string> => {
  const names = new Set<string>();
  forEachAstNode(root, (node) => {
    for (const name of (node as AstNode).program?.blockParams ?? []) if (typeof name === 'string') names.add(name);
  });
  return names;
};

/**
 * The loop bodies of a template's `{{#each X}}` blocks that qualify (one
 * argument, no hash, no block params).
 */
export const findLoopBodies = (root: unknown, helpers: HelperLookup): LoopBodies => {
  const bodies = new Map<string, LoopBody>();
  const blockParams = blockParamNames(root);
  forEachAstNode(root, (node) => {
    const value = node as AstNode;
    if (value.type !== 'BlockStatement' || value.path?.original !== 'each' || value.path.type !== 'PathExpression' || !value.loc) return;
    if (value.params?.length !== 1 || value.hash !== undefined || (value.program?.blockParams?.length ?? 0) > 0) return;
    const body = loopBodyOf(value.program?.body ?? [], helpers, blockParams);
    if (body) bodies.set(loopBodyKey(value.loc), body);
  });
  return bodies;
};
