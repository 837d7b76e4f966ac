// Which block a template leaves open when Handlebars' parser reaches the end
// of the input: the parser only says what it expected there, so the message
// names the opening tag and its line instead.

// A mustache: comments ({{! }} / {{!-- --}}) first, so a tag inside one is not read.
const MUSTACHE = /\\?\{\{!--[\s\S]*?--\}\}|\\?\{\{![\s\S]*?\}\}|\\?\{\{~?\s*([#^/])\s*\*?\s*([^\s}~()]+)?/g;

/** The innermost block opened and never closed: its name and line (1-based). */
export const unclosedBlock = (source: string): { name: string; line: number } | undefined => {
  const open: { name: string; index: number }[] = [];
  for (const m of source.matchAll(MUSTACHE)) {
    const [text, sigil, name] = m;
    // An escaped mustache (\{{) is text; {{^}} alone is an else.
    if (text.startsWith('\\') || sigil === undefined || name === undefined) continue;
    if (sigil === '/') {
      const at = open.map((b) => b.name).lastIndexOf(name);
      if (at >= 0) open.length = at;
    } else {
      open.push({ name, index: m.index });
    }
  }
  const last = open.at(-1);
  if (!last) return undefined;
  return { name: last.name, line: source.slice(0, last.index).split('\n').length };
};
