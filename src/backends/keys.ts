// Key paths: always absolute, "/"-separated, no trailing slash (except "/").

/** "/app/" → "/app", "app/port" → "/app/port", "" → "/". */
export const normalizeKey = (key: string): string => {
  const parts = key.split('/').filter((p) => p.length > 0);
  return '/' + parts.join('/');
};

/** Joins path pieces: joinKey("/app", "/live") → "/app/live". */
export const joinKey = (...pieces: string[]): string => normalizeKey(pieces.join('/'));

/** True when key is path itself or below it ("/a/b" is under "/a", "/ab" is not). */
export const isKeyUnder = (key: string, path: string): boolean => {
  const p = normalizeKey(path);
  if (p === '/') return true;
  return key === p || key.startsWith(p + '/');
};

/** Keeps the entries at or below any of the paths. */
export const filterUnder = (values: Iterable<[string, string]>, paths: readonly string[]): Map<string, string> => {
  const out = new Map<string, string>();
  for (const [k, v] of values) {
    if (paths.some((p) => isKeyUnder(k, p))) out.set(k, v);
  }
  return out;
};

/** Removes paths that are below another path in the list, and duplicates. */
export const collapsePaths = (paths: readonly string[]): string[] => {
  const sorted = [...new Set(paths.map(normalizeKey))].sort();
  return sorted.filter((p, i) => !sorted.slice(0, i).some((q) => q !== p && isKeyUnder(p, q)));
};
