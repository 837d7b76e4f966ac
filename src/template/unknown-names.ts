// Names a template reads that can only ever render as nothing. Outside
// `{{#each}}`, `{{#with}}` and other blocks that bring their own context,
// a template's context is empty: `{{typo}}`, `{{#if typo}}` or `{{getv typo}}`
// reads a field that cannot exist. Strict resources refuse such a template;
// `switchyard check` lists them either way.
import type { PositionMap } from './close-braces.js';
import { knownHelper } from './environment.js';
import type { TemplatePosition } from './errors.js';
import type { UnknownName } from './types.js';

interface Node {
  type: string;
  loc?: { start: { line: number; column: number } };
  path?: Node;
  params?: Node[];
  hash?: { pairs?: { value: Node }[] };
  program?: { body?: Node[] };
  inverse?: { body?: Node[] };
  original?: unknown;
  data?: boolean;
  depth?: number;
  parts?: unknown[];
  body?: Node[];
}

// Blocks whose body sees the same context as the block itself.
const SAME_CONTEXT = new Set(['if', 'unless']);

const helperName = (path: Node | undefined): string | undefined =>
  path?.type === 'PathExpression' && !path.data && path.parts?.length === 1 && typeof path.original === 'string' ? path.original : undefined;

/** Every name read from the template's empty top-level context, in source order. */
export const unknownNames = (ast: unknown, map: PositionMap): UnknownName[] => {
  const root = ast as Node;
  const found: UnknownName[] = [];
  const report = (path: Node): void => {
    if (path.type !== 'PathExpression' || path.data || typeof path.original !== 'string') return;
    if (path.original === 'this' || path.original === '.' || (path.parts?.length ?? 0) === 0) return;
    const at = path.loc ? map.original({ line: path.loc.start.line, column: path.loc.start.column + 1 }) : { line: 0, column: 0 };
    found.push({ name: path.original, ...at });
  };
  const argumentsOf = (node: Node): void => {
    for (const p of node.params ?? []) expression(p);
    for (const pair of node.hash?.pairs ?? []) expression(pair.value);
  };
  // A parameter: a path is a lookup, a sub-expression a helper call.
  const expression = (node: Node): void => {
    if (node.type === 'SubExpression') argumentsOf(node);
    else report(node);
  };
  const pending: Node[] = [...(root.body ?? [])];
  while (pending.length > 0) {
    const node = pending.shift() as Node;
    if (node.type !== 'MustacheStatement' && node.type !== 'BlockStatement') continue;
    const name = helperName(node.path);
    const hasArgs = (node.params?.length ?? 0) > 0 || (node.hash?.pairs?.length ?? 0) > 0;
    if (!hasArgs && !(name !== undefined && knownHelper(name)) && node.path) report(node.path);
    argumentsOf(node);
    if (node.type === 'BlockStatement') {
      if (name !== undefined && SAME_CONTEXT.has(name)) pending.push(...(node.program?.body ?? []));
      pending.push(...(node.inverse?.body ?? []));
    }
  }
  return found.sort((a, b) => a.line - b.line || a.column - b.column);
};
