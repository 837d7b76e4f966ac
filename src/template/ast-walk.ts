// A walk over every node of a parsed template (any field that holds a node
// or an array of them; locations are not walked into).

export interface AstNodeLike {
  type: string;
}

/** An object with a string `type`: a node of the parsed template. */
export const isAstNode = <T extends AstNodeLike = AstNodeLike>(v: unknown): v is T =>
  typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';

/**
 * Calls `visit` once for each node below and including `root`, in no
 * particular order. Only objects are queued (a node's strings, numbers and
 * booleans are not), and a node's own fields are read with for … in, not as a list
 * of entries: a one-shot walks each template a few times, in code not yet
 * optimized.
 */
export const forEachAstNode = (root: unknown, visit: (node: AstNodeLike) => void): void => {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (Array.isArray(value)) {
      for (const item of value as unknown[]) if (typeof item === 'object' && item !== null) pending.push(item);
      continue;
    }
    if (!isAstNode(value)) continue;
    const fields = value as unknown as Record<string, unknown>;
    for (const field in fields) {
      const child = fields[field];
      if (field !== 'loc' && typeof child === 'object' && child !== null && Object.hasOwn(fields, field)) pending.push(child);
    }
    visit(value);
  }
};
