// A walk over every node of a parsed template (any field that holds a node
// or an array of them; locations are not walked into).

export interface AstNodeLike {
  type: string;
}

const isNode = (v: unknown): v is AstNodeLike => typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';

/** Calls `visit` once for each node below and including `root`, in no particular order. */
export const forEachAstNode = (root: unknown, visit: (node: AstNodeLike) => void): void => {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (Array.isArray(value)) pending.push(...(value as unknown[]));
    if (!isNode(value)) continue;
    for (const [field, child] of Object.entries(value)) if (field !== 'loc') pending.push(child);
    visit(value);
  }
};
