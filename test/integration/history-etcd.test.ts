// The history of applied renders against a real etcd: several changes through
// a watching daemon, then `history`, `history --show`, `diff`, and the bound.
import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, runCli, startWatcher, type Watcher } from '../harness/cli.js';
import { makeConfdir, type Confdir } from '../harness/confdir.js';
import { startEtcd, type EtcdServer } from '../harness/etcd.js';

let etcd: EtcdServer;
let watcher: Watcher | undefined;

beforeAll(async () => {
  etcd = await startEtcd();
});
afterEach(async () => {
  await watcher?.stop();
  watcher = undefined;
});
afterAll(async () => {
  await etcd?.stop();
});

interface Row {
  n: number;
  revision: string | null;
  time: string;
  sha256: string | null;
  result: string;
  stage?: string;
}

const setup = (name: string, extra: Record<string, string> = {}) => {
  const conf = makeConfdir();
  const dest = join(conf.dir, `${name}.conf`);
  const historyDir = join(mkdtempSync(join(tmpdir(), 'switchyard-hist-')), 'history');
  conf.addResource({
    name,
    template: 'upstream {{getv "/addr"}};\n',
    fields: { dest, prefix: `/${name}`, keys: ['/addr'], check_cmd: `sh -c "! grep -q bad {{src}}"`, ...extra },
  });
  const common = ['--confdir', conf.dir, '--backend', 'etcd', '--node', etcd.endpoint, '--history-dir', historyDir];
  return { conf, dest, historyDir, common };
};

const read = (file: string): string => readFileSync(file, 'utf8');
const historyJson = async (common: string[], resource: string): Promise<Row[]> => {
  const res = await runCli(['history', resource, '--json', ...common]);
  expect(res.code, res.stderr).toBe(0);
  return JSON.parse(res.stdout) as Row[];
};

describe('history of applied renders', () => {
  it('lists several changes newest first with their revisions; --show is exact; diff works', async () => {
    const { dest, common, historyDir } = setup('app');
    await etcd.etcdctl('put', '/app/addr', '10.0.0.1:80');
    const revisions = [String(await etcd.revision())];
    watcher = startWatcher(common);
    await watcher.waitFor(/ready; watching/);
    for (const addr of ['10.0.0.2:80', '10.0.0.3:80']) {
      await etcd.etcdctl('put', '/app/addr', addr);
      revisions.push(String(await etcd.revision()));
      await eventually(() => read(dest).includes(addr), `dest has ${addr}`);
    }
    // A change the check rejects is kept too, with its stage; dest stays.
    await etcd.etcdctl('put', '/app/addr', 'bad:80');
    const badRevision = String(await etcd.revision());
    await watcher.waitFor(/check failed/);
    expect(read(dest)).toBe('upstream 10.0.0.3:80;\n');
    // History entries are written after their round, behind the directory's
    // flush, so they may trail the file and the log: stopping the daemon waits for them.
    await watcher.stop();

    const rows = await historyJson(common, 'app');
    expect(rows.map((r) => [r.n, r.revision, r.result])).toEqual([
      [1, badRevision, 'failed'],
      [2, revisions[2], 'updated'],
      [3, revisions[1], 'updated'],
      [4, revisions[0], 'updated'],
    ]);
    expect(rows[0]!.stage).toBe('check');
    expect(Date.parse(rows[1]!.time)).toBeGreaterThanOrEqual(Date.parse(rows[2]!.time));

    // The plain listing names the same entries; "app.toml" and "app" both work.
    const table = await runCli(['history', 'app.toml', ...common]);
    expect(table.stdout).toMatch(new RegExp(`^2 +${revisions[2]} `, 'm'));
    expect(table.stdout).toMatch(/failed at check/);

    const shown = await runCli(['history', 'app', '--show', '3', ...common]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toBe('upstream 10.0.0.2:80;\n');
    const failedShown = await runCli(['history', 'app', '--show', '1', ...common]);
    expect(failedShown.stdout).toBe('upstream bad:80;\n');

    const againstLive = await runCli(['diff', 'app', '4', ...common]);
    expect(againstLive.code, againstLive.stderr).toBe(0);
    expect(againstLive.stdout).toContain('-upstream 10.0.0.1:80;');
    expect(againstLive.stdout).toContain('+upstream 10.0.0.3:80;');
    const twoEntries = await runCli(['diff', 'app', '3', '2', ...common]);
    expect(twoEntries.stdout).toContain('-upstream 10.0.0.2:80;');
    expect(twoEntries.stdout).toContain('+upstream 10.0.0.3:80;');
    const missing = await runCli(['diff', 'app', '9', ...common]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/4 history entries, no entry 9/);

    // Root-only directory; entries as readable as dest.
    const dir = join(historyDir, 'app');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).mode & 0o777).toBe(statSync(dest).mode & 0o666);
  });

  it('mirrors a root-only dest and keeps only --history-keep entries', async () => {
    const { dest, common, historyDir } = setup('tight', { mode: '0600' });
    await etcd.etcdctl('put', '/tight/addr', '10.1.0.0:80');
    writeFileSync(dest, '');
    chmodSync(dest, 0o600);
    watcher = startWatcher([...common, '--history-keep', '3']);
    await watcher.waitFor(/ready; watching/);
    for (let i = 1; i <= 5; i++) {
      await etcd.etcdctl('put', '/tight/addr', `10.1.0.${i}:80`);
      await eventually(() => read(dest).includes(`10.1.0.${i}:80`), `dest has change ${i}`);
    }
    await watcher.stop();
    const rows = await historyJson(common, 'tight');
    expect(rows).toHaveLength(3);
    const newest = await runCli(['history', 'tight', '--show', '1', ...common]);
    expect(newest.stdout).toBe('upstream 10.1.0.5:80;\n');
    const oldest = await runCli(['history', 'tight', '--show', '3', ...common]);
    expect(oldest.stdout).toBe('upstream 10.1.0.3:80;\n');
    const dir = join(historyDir, 'tight');
    const files = readdirSync(dir);
    expect(files).toHaveLength(3);
    for (const f of files) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
  });
});
