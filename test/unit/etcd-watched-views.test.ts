import type { IEvent } from 'etcd3';
import { describe, expect, it } from 'vitest';
import { createWatchedViews } from '../../src/backends/etcd/watched-views.js';

const put = (key: string, value: string | Buffer, revision: number): IEvent =>
  ({ type: 'Put', kv: { key: Buffer.from(key), value: Buffer.isBuffer(value) ? value : Buffer.from(value), mod_revision: String(revision) } }) as unknown as IEvent;
const del = (key: string, revision: number): IEvent =>
  ({ type: 'Delete', kv: { key: Buffer.from(key), value: Buffer.alloc(0), mod_revision: String(revision) } }) as unknown as IEvent;

const read = (entries: [string, string][], revision: number) => ({ values: new Map(entries), revision: String(revision), invalidUtf8: [] });

describe('watched views', () => {
  it('serves a path from memory at the revision of its last event, after a read filled it', () => {
    const views = createWatchedViews();
    let position: bigint | undefined = 11n;
    const feed = views.feed('/app', () => position);
    expect(views.snapshot(['/app'])).toBeUndefined();
    views.fill(['/app'], read([['/app/a', '1'], ['/app/c', '3']], 10));
    const first = views.snapshot(['/app']);
    expect(first?.revision).toBe('10');
    feed?.events([put('/app/b', '2', 12), del('/app/c', 13), put('/app-x/sibling', 'no', 14)]);
    position = 15n;
    const second = views.snapshot(['/app']);
    expect(second?.revision).toBe('14');
    expect([...(second?.values ?? [])]).toEqual([['/app/a', '1'], ['/app/b', '2']]);
    // The snapshot handed out before the events did not change under its round.
    expect([...(first?.values ?? [])]).toEqual([['/app/a', '1'], ['/app/c', '3']]);
    feed?.progress(20n);
    expect(views.snapshot(['/app/'])?.revision).toBe('20');
  });

  it('skips events already in the read, and refuses a read older than what the watch applied', () => {
    const views = createWatchedViews();
    let position: bigint | undefined = 8n;
    const feed = views.feed('/app', () => position);
    views.fill(['/app'], read([['/app/a', 'new']], 9));
    feed?.events([put('/app/a', 'old', 8)]);
    expect(views.snapshot(['/app'])?.values.get('/app/a')).toBe('new');
    feed?.drop();
    position = 20n;
    views.fill(['/app'], read([['/app/a', 'stale']], 9));
    expect(views.snapshot(['/app'])).toBeUndefined();
  });

  it('needs every path at one revision, and forgets what this process wrote', () => {
    const views = createWatchedViews();
    const a = views.feed('/a', () => 6n);
    views.feed('/b', () => 6n);
    expect(views.feed('/a', () => 6n)).toBeUndefined();
    views.fill(['/b', '/a'], read([['/a/x', 'ax'], ['/b/y', 'by']], 5));
    expect([...(views.snapshot(['/a', '/b'])?.values ?? [])]).toEqual([['/a/x', 'ax'], ['/b/y', 'by']]);
    a?.events([put('/a/w', 'aw', 7)]);
    expect(views.snapshot(['/a', '/b'])).toBeUndefined();
    expect([...(views.snapshot(['/a'])?.values ?? [])]).toEqual([['/a/w', 'aw'], ['/a/x', 'ax']]);
    views.forget('/a/x');
    expect(views.snapshot(['/a'])).toBeUndefined();
    expect(views.snapshot(['/b'])?.revision).toBe('5');
  });

  it('reports values that are not UTF-8', () => {
    const views = createWatchedViews();
    const feed = views.feed('/k', () => 2n);
    views.fill(['/k'], read([], 1));
    feed?.events([put('/k/bad', Buffer.from([0xff, 0x41]), 2)]);
    expect(views.snapshot(['/k'])?.invalidUtf8).toEqual(['/k/bad']);
  });
});
