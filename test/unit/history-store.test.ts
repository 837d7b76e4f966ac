import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendEntry, listEntries, resourceHistoryDir } from '../../src/history/store.js';

const digest = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

let dir: string;
let now = 1_700_000_000_000;
const options = (keep = 50): Parameters<typeof appendEntry>[1] => ({ historyDir: dir, resource: 'app.toml', keep, mode: 0o644, now: now++ });
const time = new Date(0).toISOString();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-history-store-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('history store', () => {
  it('writes entries without a digest and lists each with the sha256 of its content', async () => {
    await appendEntry({ revision: '7', time, result: 'updated', content: 'server 10.0.0.1;\n' }, options());
    await appendEntry({ revision: '8', time, result: 'updated', content: 'ünïcödé ✓\n' }, options());
    await appendEntry({ revision: '9', time, result: 'failed', stage: 'render', error: 'boom' }, options());
    const files = readdirSync(resourceHistoryDir(dir, 'app.toml'));
    for (const f of files) expect(JSON.parse(readFileSync(join(resourceHistoryDir(dir, 'app.toml'), f), 'utf8'))).not.toHaveProperty('sha256');

    const listed = await listEntries(dir, 'app');
    expect(listed.map((e) => [e.n, e.revision, e.sha256])).toEqual([
      [1, '9', undefined],
      [2, '8', digest('ünïcödé ✓\n')],
      [3, '7', digest('server 10.0.0.1;\n')],
    ]);
    // Listed again (the status page does), the same digests.
    expect((await listEntries(dir, 'app')).map((e) => e.sha256)).toEqual(listed.map((e) => e.sha256));
  });

  it('keeps the digest an entry was written with', async () => {
    const entryDir = resourceHistoryDir(dir, 'app');
    await appendEntry({ revision: '1', time, result: 'updated', content: 'a\n' }, options());
    writeFileSync(join(entryDir, '1800000000000-000000-0badc0de.json'), JSON.stringify({ revision: '2', time, sha256: 'f'.repeat(64), result: 'updated', content: 'b\n' }));
    expect((await listEntries(dir, 'app')).map((e) => e.sha256)).toEqual(['f'.repeat(64), digest('a\n')]);
  });

  it('does not add a failure identical to the newest entry, and adds one that differs', async () => {
    const failed = { time, result: 'failed' as const, stage: 'check', error: 'nginx: [emerg]' };
    expect(await appendEntry({ ...failed, revision: '3', content: 'bad\n' }, options())).toBe(true);
    expect(await appendEntry({ ...failed, revision: '4', content: 'bad\n' }, options())).toBe(false);
    expect(await appendEntry({ ...failed, revision: '5', content: 'worse\n' }, options())).toBe(true);
    expect(await appendEntry({ ...failed, revision: '6', content: 'worse\n', stage: 'reload' }, options())).toBe(true);
    const renderFailure = { time, result: 'failed' as const, stage: 'render', error: 'unknown helper' };
    expect(await appendEntry({ ...renderFailure, revision: '7' }, options())).toBe(true);
    expect(await appendEntry({ ...renderFailure, revision: '8' }, options())).toBe(false);
    expect((await listEntries(dir, 'app')).map((e) => e.revision)).toEqual(['7', '6', '5', '3']);
  });

  it('prunes beyond keep, newest kept', async () => {
    for (let i = 1; i <= 5; i++) await appendEntry({ revision: String(i), time, result: 'updated', content: `${i}\n` }, options(3));
    const listed = await listEntries(dir, 'app');
    expect(listed.map((e) => [e.revision, e.sha256])).toEqual(['5', '4', '3'].map((r) => [r, digest(`${r}\n`)]));
  });
});
