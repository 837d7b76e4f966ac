// Expanding include patterns the way the proxies do: glob(3) semantics for
// nginx (`*`, `?`, `[...]` per path segment, no leading-dot matches, results
// sorted bytewise as in the C locale) and HAProxy's config directories.
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';

const GLOB_CHARS = /[*?[]/;

export const hasGlob = (pattern: string): boolean => GLOB_CHARS.test(pattern);

const escapeRegex = (s: string): string => s.replace(/[.+^${}()|\\\]]/g, '\\$&');

const segmentRegex = (segment: string): RegExp => {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] ?? '';
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[' && segment.indexOf(']', i + 2) > 0) {
      const end = segment.indexOf(']', i + 2);
      const body = segment.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
      out += `[${body}]`;
      i = end;
    } else out += escapeRegex(c);
  }
  return new RegExp(`^${out}$`);
};

const segmentMatches = (segment: string, name: string): boolean =>
  (segment.startsWith('.') || !name.startsWith('.')) && segmentRegex(segment).test(name);

/** Bytewise order, as glob(3) and scandir(alphasort) give in the C locale. */
export const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** True when `path` (absolute) would match the absolute glob `pattern` if it existed. */
export const globMatches = (pattern: string, path: string): boolean => {
  const ps = pattern.split(sep).filter(Boolean);
  const ns = path.split(sep).filter(Boolean);
  return ps.length === ns.length && ps.every((seg, i) => (hasGlob(seg) ? segmentMatches(seg, ns[i] ?? '') : seg === ns[i]));
};

const exists = async (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

/** Existing paths matching an absolute glob pattern, sorted like glob(3). */
export const expandGlob = async (pattern: string): Promise<string[]> => {
  let bases: string[] = [sep];
  for (const segment of pattern.split(sep).filter(Boolean)) {
    if (!hasGlob(segment)) {
      bases = bases.map((b) => join(b, segment));
      continue;
    }
    const next: string[] = [];
    for (const base of bases) {
      const names = await readdir(base).catch(() => [] as string[]);
      for (const name of names) if (segmentMatches(segment, name)) next.push(join(base, name));
    }
    bases = next;
  }
  const found: string[] = [];
  for (const path of bases) if (await exists(path)) found.push(path);
  return found.sort(byteOrder);
};

/** The real path of a file, or its absolute path when it does not exist (yet). */
export const canonicalPath = async (path: string): Promise<string> => realpath(path).catch(() => resolve(path));

/** The `*.cfg` regular files HAProxy loads from a directory given to -f, in its order. */
export const haproxyDirFiles = async (dir: string): Promise<string[]> => {
  const names = (await readdir(dir)).filter((n) => n.length >= 4 && n.endsWith('.cfg')).sort(byteOrder);
  const files: string[] = [];
  for (const name of names) {
    const info = await stat(join(dir, name)).catch(() => undefined);
    if (info?.isFile()) files.push(join(dir, name));
  }
  return files;
};
