import { isUtf8 } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { decodeKvEntries, type KvEntry } from '../../src/backends/consul/kv.js';

const b64 = (bytes: Buffer | string): string => Buffer.from(bytes).toString('base64');
const entry = (Key: string, bytes: Buffer | string | null): KvEntry => ({ Key, Value: bytes === null ? null : b64(bytes) });

/** What a value decodes to when its bytes are read whole: Buffer's UTF-8 text, and whether the bytes were UTF-8. */
const wholeRead = (base64: string): { text: string; utf8: boolean } => {
  const bytes = Buffer.from(base64, 'base64');
  return { text: bytes.toString('utf8'), utf8: isUtf8(bytes) };
};

describe('Consul KV entries decoded', () => {
  it('gives each value the text and the verdict of a whole read of its bytes, through the reused buffer', () => {
    const values: Array<[string, Buffer | string]> = [
      ['ascii', '10.0.0.1:8080'],
      ['multibyte', 'héllo 日本 🎉 ünïcödé'],
      // Longer than what came before: the buffer grows; shorter values after it must not see its old bytes.
      ['long', 'x'.repeat(10_000) + 'é'],
      ['invalid', Buffer.from([0xff, 0xfe, 0x41])],
      ['truncated', Buffer.from([0x61, 0xe6, 0x97])],
      ['lone-continuation', Buffer.from([0x80, 0x62])],
      // A U+FFFD that is really stored is valid UTF-8.
      ['stored-replacement', 'a\uFFFDb'],
      ['short-after-long', 'ok'],
      ['empty', ''],
    ];
    const { values: read, invalidUtf8 } = decodeKvEntries(
      values.map(([k, v]) => entry(`app/${k}`, v)),
      'app',
    );
    const invalid: string[] = [];
    for (const [k, v] of values) {
      const expected = wholeRead(b64(v));
      expect(read.get(`/app/${k}`), k).toBe(expected.text);
      if (!expected.utf8) invalid.push(`/app/${k}`);
    }
    expect(invalid).toEqual(['/app/invalid', '/app/truncated', '/app/lone-continuation']);
    expect(invalidUtf8).toEqual(invalid);
    expect(read.get('/app/invalid')).toBe('\uFFFD\uFFFDA');
    expect(read.get('/app/multibyte')).toBe('héllo 日本 🎉 ünïcödé');
  });

  it('reads a missing value as empty and names no key when every value is UTF-8', () => {
    const read = decodeKvEntries([entry('app/none', null), entry('app/empty', ''), entry('app/x', 'é')], 'app');
    expect([...read.values]).toEqual([
      ['/app/none', ''],
      ['/app/empty', ''],
      ['/app/x', 'é'],
    ]);
    expect(read.invalidUtf8).toBeUndefined();
  });

  it('keeps the path itself and what is below it, without folder markers or siblings, keys normalized', () => {
    const entries = ['app/live', 'app/live/', 'app/live/a', 'app/live//b', 'app/lively', 'app/liv', 'app/live/c/'].map((k) => entry(k, k));
    expect([...decodeKvEntries(entries, 'app/live').values]).toEqual([
      ['/app/live', 'app/live'],
      ['/app/live/a', 'app/live/a'],
      ['/app/live/b', 'app/live//b'],
    ]);
    // The root read keeps every key but the folder markers.
    expect([...decodeKvEntries(entries, '').values.keys()]).toEqual(['/app/live', '/app/live/a', '/app/live/b', '/app/lively', '/app/liv']);
  });
});
