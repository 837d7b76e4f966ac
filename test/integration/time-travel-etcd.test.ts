// Time travel against a real etcd: render at a past revision, revert a
// resource's keys (through a watching daemon that checks and reloads), and
// the two ways a revert must refuse: a compacted revision, a concurrent write.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEtcdBackend } from '../../src/backends/etcd/index.js';
import { silentLogger } from '../../src/log.js';
import { eventually, runCli, startWatcher, type Watcher } from '../harness/cli.js';
import { makeConfdir } from '../harness/confdir.js';
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

const read = (file: string): string => (existsSync(file) ? readFileSync(file, 'utf8') : '');
const lines = (file: string): number => read(file).split('\n').filter(Boolean).length;

const setup = (name: string) => {
  const conf = makeConfdir();
  const dest = join(conf.dir, `${name}.conf`);
  const checks = join(conf.dir, `${name}.checks`);
  const reloads = join(conf.dir, `${name}.reloads`);
  const historyDir = mkdtempSync(join(tmpdir(), 'switchyard-hist-'));
  conf.addResource({
    name,
    template: 'server {{getv "/addr"}}; # {{getv "/extra" "no extra"}}\n',
    fields: {
      dest,
      prefix: `/${name}`,
      keys: ['/addr', '/extra'],
      check_cmd: `sh -c "echo check >> ${checks}"`,
      reload_cmd: `sh -c "echo reload >> ${reloads}"`,
    },
  });
  const common = ['--confdir', conf.dir, '--backend', 'etcd', '--node', etcd.endpoint, '--history-dir', historyDir];
  return { conf, dest, checks, reloads, common };
};

describe('render --at-revision', () => {
  it('prints what was live at each revision, the same as the history entry', async () => {
    const { dest, common } = setup('tt');
    await etcd.etcdctl('put', '/tt/addr', '10.0.0.1:80');
    watcher = startWatcher(common);
    await watcher.waitFor(/ready; watching/);
    for (const step of ['10.0.0.2:80', '10.0.0.3:80']) {
      await etcd.etcdctl('put', '/tt/addr', step);
      await eventually(() => read(dest).includes(step), `dest has ${step}`);
    }
    await etcd.etcdctl('put', '/tt/extra', 'now with extra');
    await eventually(() => read(dest).includes('now with extra'), 'dest has the extra key');
    await watcher.stop();

    const history = JSON.parse((await runCli(['history', 'tt', '--json', ...common])).stdout) as { n: number; revision: string }[];
    expect(history).toHaveLength(4);
    for (const entry of history) {
      const shown = await runCli(['history', 'tt', '--show', String(entry.n), ...common]);
      const rendered = await runCli(['render', '--at-revision', entry.revision, '--resource', 'tt', ...common]);
      expect(rendered.code, rendered.stderr).toBe(0);
      expect(rendered.stdout).toBe(shown.stdout);
    }
    // Every resource, each after a "# NAME" line.
    const all = await runCli(['render', '--at-revision', history[3]!.revision, ...common]);
    expect(all.stdout).toBe('# tt.toml\nserver 10.0.0.1:80; # no extra\n');
    // The run's render limits hold here too.
    const limited = await runCli(['render', '--at-revision', history[3]!.revision, '--render-max-output', '10', ...common]);
    expect(limited.code).toBe(1);
    expect(limited.stderr).toMatch(/tt\.toml: render failed at revision \d+: .*tt\.hbs:1:8: getv: its result is larger than the output limit of 10 bytes \(--render-max-output\)/);
    const future = await runCli(['render', '--at-revision', '999999', ...common]);
    expect(future.code).toBe(1);
    expect(future.stderr).toMatch(/revision 999999 is ahead/);
  });
});

describe('revert', () => {
  it('puts a bad change back; the watching daemon converges with check and reload run', async () => {
    const { dest, checks, reloads, common } = setup('rv');
    await etcd.etcdctl('put', '/rv/addr', '10.0.1.1:80');
    const good = String(await etcd.revision());
    watcher = startWatcher(common);
    await watcher.waitFor(/ready; watching/);
    const goodText = 'server 10.0.1.1:80; # no extra\n';
    expect(read(dest)).toBe(goodText);
    // The bad change: a wrong address and a key that did not exist.
    await etcd.etcdctl('put', '/rv/addr', '10.9.9.9:80');
    await etcd.etcdctl('put', '/rv/extra', 'oops');
    await eventually(() => read(dest) === 'server 10.9.9.9:80; # oops\n', 'the bad change is live');
    await eventually(() => lines(reloads) >= 2, 'reloaded for the bad change');
    const [checksBefore, reloadsBefore] = [lines(checks), lines(reloads)];

    const noop = await runCli(['revert', 'rv', '--to-revision', good, '--noop', ...common]);
    expect(noop.code, noop.stderr).toBe(0);
    expect(noop.stdout).toContain('put    /rv/addr: "10.9.9.9:80" -> "10.0.1.1:80"');
    expect(noop.stdout).toContain('delete /rv/extra: "oops" -> (absent)');
    expect((await etcd.etcdctl('get', '/rv/addr', '--print-value-only')).trim()).toBe('10.9.9.9:80');

    const revert = await runCli(['revert', 'rv.toml', '--to-revision', good, ...common]);
    expect(revert.code, revert.stderr).toBe(0);
    expect(revert.stdout).toMatch(/2 key\(s\) back to revision \d+/);
    await eventually(() => read(dest) === goodText, 'the daemon converges back to the good file');
    await eventually(() => lines(checks) > checksBefore && lines(reloads) > reloadsBefore, 'check and reload ran');
    expect((await etcd.etcdctl('get', '/rv/extra')).trim()).toBe('');

    const again = await runCli(['revert', 'rv', '--to-revision', good, ...common]);
    expect(again.stdout).toMatch(/nothing to do/);
  });

  it('fails cleanly when a key changed since the read, and writes nothing', async () => {
    await etcd.etcdctl('put', '/cc/addr', 'old');
    const then = String(await etcd.revision());
    await etcd.etcdctl('put', '/cc/addr', 'bad');
    const backend = createEtcdBackend({ nodes: [etcd.endpoint], files: [] }, silentLogger);
    try {
      const plan = await backend.planRevert!(['/cc'], then);
      expect(plan.changes).toEqual([{ key: '/cc/addr', from: 'bad', to: 'old' }]);
      await etcd.etcdctl('put', '/cc/addr', 'someone else');
      await expect(plan.apply()).rejects.toThrow(/\/cc\/addr changed since they were read at revision \d+; nothing was written/);
      expect((await etcd.etcdctl('get', '/cc/addr', '--print-value-only')).trim()).toBe('someone else');

      // A key created under the path since the read fails it too.
      const second = await backend.planRevert!(['/cc'], then);
      await etcd.etcdctl('put', '/cc/new', 'x');
      await expect(second.apply()).rejects.toThrow(/\/cc\/new changed since/);
      expect((await etcd.etcdctl('get', '/cc/addr', '--print-value-only')).trim()).toBe('someone else');
    } finally {
      await backend.close();
    }
  });

  it('refuses a compacted revision, naming the compaction revision', async () => {
    const { common } = setup('cp');
    await etcd.etcdctl('put', '/cp/addr', 'first');
    const old = String(await etcd.revision());
    await etcd.etcdctl('put', '/cp/addr', 'second');
    const compactAt = String(await etcd.revision());
    await etcd.etcdctl('compact', compactAt);
    const render = await runCli(['render', '--at-revision', old, '--resource', 'cp', ...common]);
    expect(render.code).toBe(1);
    expect(render.stderr).toContain(`revision ${old} was compacted (history is kept from revision ${compactAt}, the compaction revision)`);
    const revert = await runCli(['revert', 'cp', '--to-revision', old, ...common]);
    expect(revert.code).toBe(1);
    expect(revert.stderr).toContain(`revision ${old} was compacted`);
    expect((await etcd.etcdctl('get', '/cp/addr', '--print-value-only')).trim()).toBe('second');
  });
});
