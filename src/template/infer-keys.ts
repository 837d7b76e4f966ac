// The keys and services a template reads, found in its literal arguments
// (`getv "/x"`, `gets "/x/*"`, `service "web"`), and whether it reads the
// catalog's service list (`consulServices`), for resources without `keys`. A
// key helper called with a computed argument cannot be inferred: its position
// is recorded so loading can name the line. A service named by a computed
// argument needs no `keys`: the render reports every service it asked for.
import { normalizeKey } from '../backends/keys.js';
import type { PositionMap } from './close-braces.js';
import type { TemplatePosition } from './errors.js';
import { parseServiceQuery } from './helpers/consul-template.js';
import type { InferredKeys } from './types.js';
import { forEachAstNode } from './ast-walk.js';

/** Helpers whose first argument is a key, a key pattern or a key directory. */
const KEY_HELPERS = new Set([
  'getv', 'get', 'gets', 'getvs', 'ls', 'lsdir', 'exists', 'tree', 'lsPairs', 'hostPorts',
  'host', 'port', 'hostPort', 'ip', 'cidr', 'serverName', 'token', 'duration', 'int', 'bluegreen',
]);
const SERVICE_HELPERS = new Set(['service', 'consulService']);
const SERVICE_LIST_HELPER = 'consulServices';

interface AstNode {
  type: string;
  loc?: { start: { line: number; column: number } };
  path?: { type: string; original?: unknown; parts?: unknown[] };
  params?: Array<{ type: string; value?: unknown }>;
}

/** The part of a path pattern before its first wildcard: "/x/*" → "/x". */
export const literalHead = (pattern: string): string => {
  const parts = normalizeKey(pattern).split('/');
  const wild = parts.findIndex((p) => /[*?[\\]/.test(p));
  return normalizeKey((wild < 0 ? parts : parts.slice(0, wild)).join('/'));
};

// A query the helper would refuse still names its service.
const serviceName = (query: string): string => {
  try {
    return parseServiceQuery(query).name;
  } catch {
    return query;
  }
};

export const inferKeys = (root: unknown, map: PositionMap): InferredKeys => {
  const keys = new Set<string>();
  const services = new Set<string>();
  let serviceList = false;
  let dynamic: InferredKeys['dynamic'];
  forEachAstNode(root, (node) => {
    const value = node as AstNode;
    const name = value.path?.type === 'PathExpression' && value.path.parts?.length === 1 ? value.path.original : undefined;
    if (name === SERVICE_LIST_HELPER) serviceList = true;
    if (typeof name !== 'string' || !value.params?.length) return;
    if (!KEY_HELPERS.has(name) && !SERVICE_HELPERS.has(name)) return;
    const first = value.params[0];
    if (first?.type !== 'StringLiteral' || typeof first.value !== 'string') {
      if (!KEY_HELPERS.has(name)) return;
      const at = value.loc ? map.original({ line: value.loc.start.line, column: value.loc.start.column + 1 }) : undefined;
      // The walk runs backwards; keep the earliest position.
      if (!dynamic || (at && dynamic.position && (at.line < dynamic.position.line || (at.line === dynamic.position.line && at.column < dynamic.position.column)))) {
        dynamic = at ? { helper: name, position: at } : { helper: name };
      }
      return;
    }
    if (KEY_HELPERS.has(name)) keys.add(literalHead(first.value));
    else services.add(name === 'consulService' ? serviceName(first.value) : first.value);
  });
  const result: InferredKeys = { keys: [...keys].sort(), services: [...services].sort() };
  if (serviceList) result.serviceList = true;
  if (dynamic) result.dynamic = dynamic;
  return result;
};
