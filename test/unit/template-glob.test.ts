import { describe, expect, it } from 'vitest';
import { BadPatternError, matchPath } from '../../src/template/glob.js';
import { goBase, goClean, goDir } from '../../src/template/go-path.js';

describe('matchPath (Go path.Match)', () => {
  it.each([
    ['/upstream/*', '/upstream/a1', true],
    ['/upstream/*', '/upstream/a1/x', false],
    ['/upstream/*', '/upstream/', true],
    ['/*/port', '/app/port', true],
    ['/up?', '/up1', true],
    ['/up?', '/up/', false],
    ['/up?', '/up12', false],
    ['/a[0-9]', '/a7', true],
    ['/a[0-9]', '/ab', false],
    ['/a[^0-9]', '/ab', true],
    ['/a[^0-9]', '/a7', false],
    ['/a[xyz]', '/ay', true],
    ['/a\\*', '/a*', true],
    ['/a\\*', '/ab', false],
    ['/a[\\]]', '/a]', true],
    ['/a.b', '/axb', false],
    ['/a+(b)', '/a+(b)', true],
    ['/a[z-a]', '/ab', false],
    ['/ünï/*', '/ünï/ç', true],
    ['*', 'abc', true],
    ['', '', true],
  ])('%s matches %s: %s', (pattern, name, expected) => {
    expect(matchPath(pattern, name)).toBe(expected);
  });

  it.each(['/a[', '/a[]', '/a[-]', '/a\\', '/a[b-', '/a[^'])('rejects the malformed pattern %s', (pattern) => {
    expect(() => matchPath(pattern, '/a')).toThrow(BadPatternError);
  });
});

describe('Go path functions', () => {
  it.each([
    ['/services/data/url', '/services/data', 'url'],
    ['/a/b/', '/a/b', 'b'],
    ['a', '.', 'a'],
    ['', '.', '.'],
    ['/', '/', '/'],
    ['//x', '/', 'x'],
  ])('dir and base of %j', (path, dir, base) => {
    expect(goDir(path)).toBe(dir);
    expect(goBase(path)).toBe(base);
  });

  it('cleans like path.Clean', () => {
    expect(goClean('a/../../b/./c/')).toBe('../b/c');
    expect(goClean('//a//b')).toBe('/a/b');
    expect(goClean('./')).toBe('.');
  });
});
