// A snapshot's view answers a pattern once and hands out copies: two renders
// (or gets and getvs) of one pattern walk the keys once, and a caller that
// reorders what it got changes nothing for the next.
import { describe, expect, it } from 'vitest';
import { keyViewOf } from '../../src/template/key-view.js';

const snapshot = (): Map<string, string> =>
  new Map([
    ['/app/s/a', '1'],
    ['/app/s/b', '2'],
    ['/app/s/b/deep', 'x'],
    ['/app/s-other', 'y'],
    ['/app/s/c', '3'],
  ]);

describe('key view match', () => {
  it('gives the same pairs, in key order, however the last answer was reordered', () => {
    const view = keyViewOf(snapshot(), '/app');
    const first = view.match('/s/*');
    expect(first.map((p) => p.key)).toEqual(['/s/a', '/s/b', '/s/c']);
    first.reverse();
    first.pop();
    const second = view.match('/s/*');
    expect(second.map((p) => [p.key, p.value])).toEqual([
      ['/s/a', '1'],
      ['/s/b', '2'],
      ['/s/c', '3'],
    ]);
    expect(second).not.toBe(view.match('/s/*'));
    // Another pattern over the same keys is answered on its own.
    expect(view.match('/s/b/*').map((p) => p.key)).toEqual(['/s/b/deep']);
  });

  it('still rejects a malformed pattern', () => {
    const view = keyViewOf(snapshot(), '/app');
    expect(() => view.match('/s/[')).toThrow(/syntax error in pattern/);
    expect(() => view.match('/s/[')).toThrow(/syntax error in pattern/);
  });
});
