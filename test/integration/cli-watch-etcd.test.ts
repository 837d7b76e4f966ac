// Watch mode through the CLI against a real etcd: many changes, bursts and
// quiescence, etcd restarts, SIGHUP and SIGTERM.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startWatcher, type Watcher } from '../harness/cli.js';
import { makeConfdir, type Confdir } from '../harness/confdir.js';
import { startEtcd, type EtcdServer } from '../harness/etcd.js';

let etcd: EtcdServer;
let watcher: Watcher | undefined;

const read = (file: string): string => (existsSync(file) ? readFileSync(file, 'utf8') : '');
const lines = (file: string): number => read(file).split('\n').filter(Boolean).length;

const counterResource = (conf: Confdir, name: string, prefix: string, wait?: string) => {
  const dest = join(conf.dir, `${name}.out`);
  const reloads = join(conf.dir, `${name}.reloads`);
  conf.addResource({
    name,
    template: 'value={{getv "/value" "none"}}\n',
    fields: { dest, prefix, keys: ['/value'], reload_cmd: `sh -c "echo reload >> ${reloads}"`, ...(wait ? { wait } : {}) },
  });
  return { dest, reloads };
};

const watch = (conf: Confdir, ...extra: string[]): Watcher =>
  (watcher = startWatcher(['--confdir', conf.dir, '--backend', 'etcd', '--node', etcd.endpoint, ...extra]));

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

describe('switchyard watch mode with etcd', () => {
  it('applies 100 consecutive changes and ends equal to the final state', async () => {
    const conf = makeConfdir();
    const { dest } = counterResource(conf, 'many', '/many');
    await etcd.etcdctl('put', '/many/value', 'start');
    const w = watch(conf);
    await w.waitFor(/ready; watching/);
    expect(read(dest)).toBe('value=start\n');
    for (let i = 1; i <= 100; i++) await etcd.etcdctl('put', '/many/value', `v${i}`);
    await eventually(() => read(dest) === 'value=v100\n', `dest ends as value=v100 (is ${read(dest)})`, 30_000);
    // A later write that restores an earlier value is applied too.
    await etcd.etcdctl('put', '/many/value', 'v50');
    await eventually(() => read(dest) === 'value=v50\n', 'dest follows a write back to an older value');
  });

  it('renders a burst of changes inside --wait once', async () => {
    const conf = makeConfdir();
    const { dest, reloads } = counterResource(conf, 'burst', '/burst');
    await etcd.etcdctl('put', '/burst/value', 'b0');
    const w = watch(conf, '--wait', '1500ms:10s');
    await w.waitFor(/ready; watching/);
    expect(lines(reloads)).toBe(1);
    // etcdctl takes ~20-50 ms per write: the burst fits well inside the window.
    for (let i = 1; i <= 10; i++) await etcd.etcdctl('put', '/burst/value', `b${i}`);
    await eventually(() => read(dest) === 'value=b10\n', 'the burst is applied', 20_000);
    await new Promise((r) => setTimeout(r, 2000));
    expect(lines(reloads)).toBe(2);
  });

  it("coalesces a burst by the resource's own wait, not the others'", async () => {
    const conf = makeConfdir();
    const slow = counterResource(conf, 'slow', '/rw/slow', '3s:20s');
    const fast = counterResource(conf, 'fast', '/rw/fast');
    const w = watch(conf);
    await w.waitFor(/ready; watching/);
    // Each fast change goes live on its own while the slow resource is still
    // inside its wait: every slow write restarts it, so the slow file holds
    // its first value until the burst is over.
    for (let i = 1; i <= 5; i++) {
      await etcd.etcdctl('put', '/rw/slow/value', `s${i}`);
      await etcd.etcdctl('put', '/rw/fast/value', `f${i}`);
      await eventually(() => read(fast.dest) === `value=f${i}\n`, `fast applies f${i} on its own (is ${read(fast.dest)})`, 20_000);
      expect(read(slow.dest)).toBe('value=none\n');
    }
    await eventually(() => read(slow.dest) === 'value=s5\n', 'slow applies the burst once it is over', 20_000);
    await new Promise((r) => setTimeout(r, 2000));
    expect(lines(slow.reloads)).toBe(2);
    expect(lines(fast.reloads)).toBe(6);
  });

  it('only re-renders resources whose keys changed', async () => {
    const conf = makeConfdir();
    const a = counterResource(conf, 'a', '/sel/a');
    const b = counterResource(conf, 'b', '/sel/b');
    const w = watch(conf);
    await w.waitFor(/ready; watching/);
    await etcd.etcdctl('put', '/sel/a/value', 'changed');
    await eventually(() => read(a.dest) === 'value=changed\n', 'a re-rendered');
    await new Promise((r) => setTimeout(r, 500));
    expect(lines(a.reloads)).toBe(2);
    expect(lines(b.reloads)).toBe(1);
  });

  it('applies a change made after etcd was killed and restarted', async () => {
    const conf = makeConfdir();
    const { dest } = counterResource(conf, 'restart', '/restart');
    await etcd.etcdctl('put', '/restart/value', 'before');
    const w = watch(conf);
    await w.waitFor(/ready; watching/);
    await etcd.kill();
    await new Promise((r) => setTimeout(r, 1500));
    await etcd.restart();
    await etcd.etcdctl('put', '/restart/value', 'after');
    await eventually(() => read(dest) === 'value=after\n', 'change after restart applied', 45_000);
    expect(w.output()).not.toMatch(/unexpected error/);
  });

  it('SIGHUP picks up a new resource without a restart; SIGTERM exits 0', async () => {
    const conf = makeConfdir();
    counterResource(conf, 'first', '/hup/first');
    const w = watch(conf);
    await w.waitFor(/ready; watching/);
    const second = counterResource(conf, 'second', '/hup/second');
    await etcd.etcdctl('put', '/hup/second/value', 'hello');
    w.signal('SIGHUP');
    await w.waitFor(/configuration reloaded/);
    await eventually(() => read(second.dest) === 'value=hello\n', 'new resource rendered');
    await etcd.etcdctl('put', '/hup/second/value', 'watched');
    await eventually(() => read(second.dest) === 'value=watched\n', 'new resource watched');
    // A broken configuration on SIGHUP keeps the running one.
    conf.writeTemplate('second.hbs', '{{#if}}broken');
    w.signal('SIGHUP');
    await w.waitFor(/reload failed; keeping the previous configuration/);
    await etcd.etcdctl('put', '/hup/second/value', 'still');
    await eventually(() => read(second.dest) === 'value=still\n', 'old configuration still works');
    w.signal('SIGTERM');
    expect(await w.exited()).toBe(0);
  });
});
