// Owner and group names → ids, from /etc/passwd and /etc/group (no shell-out).
import { readFileSync } from 'node:fs';

const lookup = (file: string, name: string): number | undefined => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === name && fields[2] !== undefined) return Number(fields[2]);
  }
  return undefined;
};

export const uidOf = (name: string, passwd = '/etc/passwd'): number | undefined =>
  /^\d+$/.test(name) ? Number(name) : lookup(passwd, name);

export const gidOf = (name: string, group = '/etc/group'): number | undefined =>
  /^\d+$/.test(name) ? Number(name) : lookup(group, name);
