import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEnvBackend, envNameToKey, keyToEnvName } from '../../src/backends/local/env.js';
import { createFileBackend } from '../../src/backends/local/file.js';
import { flattenDocument, KeyCollisionError } from '../../src/backends/local/flatten.js';
import { collapsePaths, isKeyUnder, joinKey } from '../../src/backends/keys.js';
import { silentLogger } from '../../src/log.js';

describe('key paths', () => {
  it('joins and normalises', () => {
    expect(joinKey('/app/', '/live')).toBe('/app/live');
    expect(joinKey('', 'a', '')).toBe('/a');
    expect(joinKey('')).toBe('/');
  });
  it('treats a path as a subtree, not a string prefix', () => {
    expect(isKeyUnder('/app/live', '/app/live')).toBe(true);
    expect(isKeyUnder('/app/live/x', '/app/live')).toBe(true);
    expect(isKeyUnder('/app/lively', '/app/live')).toBe(false);
    expect(isKeyUnder('/anything', '/')).toBe(true);
  });
  it('collapses nested paths', () => {
    expect(collapsePaths(['/a/b', '/a', '/c', '/a/'])).toEqual(['/a', '/c']);
  });
});

describe('flattening YAML/JSON', () => {
  it('flattens maps and arrays as confd does', () => {
    const flat = flattenDocument({ app: { port: 9001, tls: true, hosts: ['a', 'b'], empty: null } });
    expect([...flat]).toEqual([
      ['/app/port', '9001'],
      ['/app/tls', 'true'],
      ['/app/hosts/0', 'a'],
      ['/app/hosts/1', 'b'],
      ['/app/empty', ''],
    ]);
  });

  it('refuses two places that become one key, naming both', () => {
    const cases: [unknown, string, string, string][] = [
      [{ '/v/': 1, v: 2 }, '/v', '["/v/"]', '["v"]'],
      [{ 'a/b': 1, a: { b: 2 } }, '/a/b', '["a/b"]', '["a","b"]'],
      [{ a: { b: 1 }, 'a/b': 2 }, '/a/b', '["a","b"]', '["a/b"]'],
      [{ hosts: ['x'], 'hosts/0': 'y' }, '/hosts/0', '["hosts",0]', '["hosts/0"]'],
      [{ a: { '': 1 }, 'a/': 2 }, '/a', '["a",""]', '["a/"]'],
    ];
    for (const [doc, key, first, second] of cases) {
      let caught: unknown;
      try {
        flattenDocument(doc);
      } catch (err) {
        caught = err;
      }
      expect(caught, JSON.stringify(doc)).toBeInstanceOf(KeyCollisionError);
      const err = caught as KeyCollisionError;
      expect(err.key).toBe(key);
      expect(err.message).toBe(`${first} and ${second} both become the key ${JSON.stringify(key)}; rename or remove one`);
    }
    // A key with a value and children, and the same name in two branches, are no collision.
    expect([...flattenDocument({ a: 1, 'a/': { b: 2 }, x: { a: 3 } })]).toEqual([
      ['/a', '1'],
      ['/a/b', '2'],
      ['/x/a', '3'],
    ]);
  });

  it('shortens a huge key in the message', () => {
    const long = 'k'.repeat(10_000);
    expect(() => flattenDocument({ [`/${long}`]: 1, [long]: 2 })).toThrow(/^\["\/k{199}…"\] and \["k{200}…"\] both become the key "\/k{199}…"/);
  });
});

describe('env backend', () => {
  it('maps /app/port ↔ APP_PORT', async () => {
    expect(keyToEnvName('/app/port')).toBe('APP_PORT');
    expect(envNameToKey('APP_PORT')).toBe('/app/port');
    const b = createEnvBackend({ nodes: [], files: [] }, undefined, { APP_PORT: '9001', APP_HOST: 'h', OTHER: 'x' });
    const snap = await b.getValues(['/app']);
    expect([...snap.values].sort()).toEqual([
      ['/app/host', 'h'],
      ['/app/port', '9001'],
    ]);
  });
});

describe('file backend', () => {
  it('reads documents, later files win, and a change fires the watch', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sy-file-'));
    const a = join(dir, 'a.yaml');
    const b = join(dir, 'b.json');
    await writeFile(a, 'app:\n  port: 1\n  name: x\n');
    await writeFile(b, '{"app": {"port": 2}}');
    const backend = createFileBackend({ nodes: [], files: [a, b] }, silentLogger);
    try {
      expect([...(await backend.getValues(['/app'])).values].sort()).toEqual([
        ['/app/name', 'x'],
        ['/app/port', '2'],
      ]);
      let changes = 0;
      await backend.watch('/app', { onChange: () => (changes += 1), onError: () => undefined });
      await writeFile(b, '{"app": {"port": 3}}');
      await expect.poll(() => changes, { timeout: 5000 }).toBeGreaterThan(0);
      expect((await backend.getValues(['/app/port'])).values.get('/app/port')).toBe('3');
    } finally {
      await backend.close();
    }
  });

  it('names the file when a document is not valid YAML', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sy-file-'));
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'app: [unclosed\n');
    const backend = createFileBackend({ nodes: [], files: [bad] }, silentLogger);
    await expect(backend.getValues(['/'])).rejects.toThrow(bad);
    await backend.close();
  });

  it('names the file and both places when two become one key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sy-file-'));
    const file = join(dir, 'clash.yaml');
    await writeFile(file, 'app:\n  port: 1\n  /port/: 2\n');
    const backend = createFileBackend({ nodes: [], files: [file] }, silentLogger);
    await expect(backend.getValues(['/app'])).rejects.toThrow(`file at ${file}: ["app","port"] and ["app","/port/"] both become the key "/app/port"`);
    await backend.close();
  });
});
