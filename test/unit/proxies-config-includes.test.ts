import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expandGlob, globMatches, haproxyDirFiles } from '../../src/proxies/config-glob.js';
import { includeLine, scanIncludes } from '../../src/proxies/nginx-includes.js';

describe('scanIncludes', () => {
  it('finds include directives with their exact span', () => {
    const text = 'http {\n  include  /etc/nginx/conf.d/*.conf;\n  include "sites/a b.conf" ;\n}\n';
    const found = scanIncludes(text);
    expect(found.map((d) => d.path)).toEqual(['/etc/nginx/conf.d/*.conf', 'sites/a b.conf']);
    expect(found.map((d) => text.slice(d.start, d.end))).toEqual(['include  /etc/nginx/conf.d/*.conf;', 'include "sites/a b.conf" ;']);
  });

  it('ignores includes in comments, strings and argument positions', () => {
    const text = [
      '# include /nope/a.conf;',
      'log_format x "include /nope/b.conf;";',
      'map $x ${y} { include /yes/map.conf; }',
      "return 200 'include /nope/c';",
      'set $include /nope/d;',
    ].join('\n');
    expect(scanIncludes(text).map((d) => d.path)).toEqual(['/yes/map.conf']);
  });

  it('quotes literal paths for nginx', () => {
    expect(includeLine('/a/"b"\\c')).toBe('include "/a/\\"b\\"\\\\c";');
  });
});

describe('globs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-glob-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'sub'));
  for (const name of ['b.conf', 'a.conf', 'B.conf', '.hidden.conf', 'x.txt', 'sub/c.conf', 'z.cfg', '.h.cfg']) {
    writeFileSync(join(dir, name), '');
  }
  mkdirSync(join(dir, 'd.cfg'));

  it('expands like glob(3): bytewise order, no leading dots', async () => {
    expect(await expandGlob(join(dir, '*.conf'))).toEqual(['B.conf', 'a.conf', 'b.conf'].map((n) => join(dir, n)));
    expect(await expandGlob(join(dir, '[ab].conf'))).toEqual(['a.conf', 'b.conf'].map((n) => join(dir, n)));
    expect(await expandGlob(join(dir, '*/c.con?'))).toEqual([join(dir, 'sub/c.conf')]);
    expect(await expandGlob(join(dir, '.*.conf'))).toEqual([join(dir, '.hidden.conf')]);
  });

  it('matches paths that do not exist yet', () => {
    expect(globMatches('/etc/nginx/conf.d/*.conf', '/etc/nginx/conf.d/new.conf')).toBe(true);
    expect(globMatches('/etc/nginx/conf.d/*.conf', '/etc/nginx/conf.d/.new.conf')).toBe(false);
    expect(globMatches('/etc/nginx/conf.d/*.conf', '/etc/nginx/conf.d/sub/new.conf')).toBe(false);
  });

  it('lists a HAProxy config directory: regular *.cfg files, hidden ones included', async () => {
    expect(await haproxyDirFiles(dir)).toEqual([join(dir, '.h.cfg'), join(dir, 'z.cfg')]);
  });
});
