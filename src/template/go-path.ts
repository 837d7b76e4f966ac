// Go's path.Clean, path.Base and path.Dir, which confd's base and dir are;
// Node's posix functions differ on trailing slashes and empty input.
import { posix } from 'node:path';

export const goClean = (p: string): string => {
  if (p === '') return '.';
  const clean = posix.normalize(p);
  return clean.length > 1 && clean.endsWith('/') ? clean.slice(0, -1) : clean;
};

export const goBase = (p: string): string => {
  if (p === '') return '.';
  const trimmed = p.charCodeAt(p.length - 1) === 47 ? p.replace(/\/+$/, '') : p;
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
};

export const goDir = (p: string): string => goClean(p.slice(0, p.lastIndexOf('/') + 1));
