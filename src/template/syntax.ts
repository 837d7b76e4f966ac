// Load-time checks: Handlebars' parse errors turned into TemplateSyntaxError
// with a line and column, and mistakes Handlebars would only report while
// rendering (an unknown helper, a partial, `{{#if}}` without its argument).
import { forEachAstNode } from './ast-walk.js';
import { ParseFailure, identityMap } from './close-braces.js';
import type { PositionMap } from './close-braces.js';
import { handlebars, knownHelper } from './environment.js';
import { TemplateSyntaxError } from './errors.js';
import type { TemplatePosition } from './errors.js';
import { unclosedBlock } from './unclosed-block.js';

/** The parts of a Handlebars AST node these checks read. */
interface AstNode {
  type: string;
  loc?: { start: { line: number; column: number } };
  path?: { type: string; original?: unknown; parts?: unknown[]; data?: boolean; depth?: number };
  params?: unknown[];
  hash?: unknown;
}
export type TemplateAst = AstNode;

const positionOf = (node: AstNode, map: PositionMap): TemplatePosition | undefined =>
  node.loc ? map.original({ line: node.loc.start.line, column: node.loc.start.column + 1 }) : undefined;

const CALLS = new Set(['MustacheStatement', 'SubExpression', 'BlockStatement']);
const PARTIALS = new Set(['PartialStatement', 'PartialBlockStatement', 'Decorator', 'DecoratorBlock']);
const ONE_ARGUMENT = new Set(['if', 'unless', 'with', 'each']);

// The helper a node calls, if it calls one by a plain name.
const calledHelper = (node: AstNode): string | undefined => {
  const path = node.path;
  if (!CALLS.has(node.type) || path?.type !== 'PathExpression' || path.data || path.depth !== 0) return undefined;
  if (path.parts?.length !== 1 || typeof path.original !== 'string') return undefined;
  const hasArgs = (node.params?.length ?? 0) > 0 || node.hash !== undefined || node.type === 'SubExpression';
  return hasArgs || ONE_ARGUMENT.has(path.original) ? path.original : undefined;
};

const checkNode = (node: AstNode, file: string, map: PositionMap): void => {
  const fail = (detail: string): never => {
    throw new TemplateSyntaxError(file, detail, positionOf(node, map));
  };
  if (PARTIALS.has(node.type)) fail('partials and decorators are not supported');
  const helper = calledHelper(node);
  if (helper === undefined) return;
  if (ONE_ARGUMENT.has(helper) && node.params?.length !== 1) fail(`#${helper} requires exactly one argument`);
  if (!knownHelper(helper)) fail(`unknown helper ${JSON.stringify(helper)}`);
};

/** Walks the whole tree; throws TemplateSyntaxError at the first problem. */
export const checkTemplateAst = (root: AstNode, file: string, map: PositionMap = identityMap): void =>
  forEachAstNode(root, (node) => checkNode(node as AstNode, file, map));

// The parser's token names, as a template author would call them.
const TOKENS: Record<string, string> = {
  CLOSE: "'}}'", CLOSE_UNESCAPED: "'}}}'", OPEN_SEXPR: "'('", CLOSE_SEXPR: "')'", EOF: 'end of input',
  INVALID: 'invalid text', ID: 'a name', STRING: 'a string', NUMBER: 'a number', BOOLEAN: 'a boolean',
  OPEN: "'{{'", OPEN_BLOCK: "'{{#'", OPEN_ENDBLOCK: "'{{/'", INVERSE: "'{{else}}'", OPEN_INVERSE: "'{{^'", OPEN_INVERSE_CHAIN: "'{{else …}}'",
  EQUALS: "'='", SEP: "'.' or '/'", DATA: "an '@' variable", CONTENT: 'text', OPEN_BLOCK_PARAMS: "'as |'",
};
const tokenName = (raw: string): string => TOKENS[raw] ?? raw.toLowerCase().replace(/_/g, ' ');

// "Expecting 'ID', 'STRING', got 'CLOSE'" → "unexpected '}}', expecting a name, a string".
const readableExpectation = (message: string): string => {
  const last = message.split('\n').at(-1) ?? '';
  const match = /^Expecting (.*), got '([^']*)'$/.exec(last);
  if (!match) return last;
  const expected = [...new Set([...(match[1] ?? '').matchAll(/'([^']*)'/g)].map((m) => tokenName(m[1] ?? '')))];
  return `unexpected ${tokenName(match[2] ?? '')}, expecting ${expected.join(', ')}`;
};

interface LexerState {
  lexer?: { yylloc?: { first_line: number; first_column: number } };
}

/** Where the parser's lexer stopped; parsing is synchronous, so right after a failure it points at the offending token. */
export const lexerLocation = () => (handlebars as unknown as { Parser?: LexerState }).Parser?.lexer?.yylloc;

/** Turns whatever parsing or compiling threw into a TemplateSyntaxError; `source` names a block left open at the end. */
export const syntaxErrorOf = (thrown: unknown, file: string, source = ''): TemplateSyntaxError => {
  const map = thrown instanceof ParseFailure ? thrown.map : identityMap;
  const err = thrown instanceof ParseFailure ? thrown.error : thrown;
  if (err instanceof TemplateSyntaxError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const { lineNumber, column } = (err ?? {}) as { lineNumber?: unknown; column?: unknown };
  if (typeof lineNumber === 'number' && typeof column === 'number') {
    // Handlebars' compile-time exceptions: "if doesn't match each - 3:5".
    const detail = message.replace(/ - \d+:\d+$/, '');
    return new TemplateSyntaxError(file, detail, map.original({ line: lineNumber, column: column + 1 }), { cause: err });
  }
  const parse = /^(Parse|Lexical) error on line (\d+)/.exec(message);
  if (parse) {
    const loc = lexerLocation();
    const position = map.original(loc ? { line: loc.first_line, column: loc.first_column + 1 } : { line: Number(parse[2]), column: 1 });
    const detail = parse[1] === 'Parse' ? `Parse error: ${readableExpectation(message)}` : 'Lexical error: unrecognized text';
    const open = / got 'EOF'$/.test(message) ? unclosedBlock(source) : undefined;
    const hint = open ? `: {{#${open.name}}} at line ${open.line} is never closed (add {{/${open.name}}})` : '';
    return new TemplateSyntaxError(file, detail + hint, position, { cause: err });
  }
  return new TemplateSyntaxError(file, message, undefined, { cause: err });
};
