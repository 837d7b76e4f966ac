// A walk over every node of a parsed template (any field that holds a node
// or an array of them; locations are not walked into).

export interface AstNodeLike {
  type: string;
}

/** An object with a string `type`: a node of the parsed template. */
export const isAstNode = <T extends AstNodeLike = AstNodeLike>(v: unknown): v is T =>
  typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';

/** Calls `visit` once for each node below and including `root`, in no particular order. */
export const forEachAstNode = (root: unknown, visit: (node: AstNodeLike) => void): void => {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (Array.isArray(value)) pending.push(...(value as unknown[]));
    if (!isAstNode(value)) continue;
    for (const [field, child] of Object.entries(value)) if (field !== 'loc') pending.push(child);
    visit(value);
  }
};
