// The daemon's lifecycle through the CLI with the file backend: SIGTERM at
// any moment, SIGHUP under --noop, and a failed commit retried until the
// dest converges once the cause clears.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startWatcher, type Watcher } from '../harness/cli.js';
import { makeConfdir, type Confdir } from '../harness/confdir.js';

let watcher: Watcher | undefined;
const mounts: string[] = [];

afterEach(async () => {
  await watcher?.stop();
  watcher = undefined;
  for (const dir of mounts.splice(0)) execFileSync('umount', [dir]);
});

const read = (file: string): string => (existsSync(file) ? readFileSync(file, 'utf8') : '');
const lines = (file: string): number => read(file).split('\n').filter(Boolean).length;

const watch = (conf: Confdir, data: string, ...extra: string[]): Watcher =>
  (watcher = startWatcher(['--confdir', conf.dir, '--backend', 'file', '--file', data, ...extra]));

/** Makes a directory read-only (EROFS) with a read-only bind mount of itself. */
const mountReadOnly = (dir: string): void => {
  execFileSync('mount', ['--bind', dir, dir]);
  mounts.push(dir);
  execFileSync('mount', ['-o', 'remount,ro,bind', dir]);
};
const unmount = (dir: string): void => {
  execFileSync('umount', [dir]);
  mounts.splice(mounts.indexOf(dir), 1);
};

describe('daemon lifecycle', () => {
  it('SIGTERM during the first round finishes only the resource in flight', async () => {
    const conf = makeConfdir();
    const data = join(conf.dir, 'data.yaml');
    writeFileSync(data, 'value: new\n');
    const checks = join(conf.dir, 'checks.log');
    // Each check holds until the test releases it, after the signal.
    const release = join(conf.dir, 'release');
    const dests = ['a', 'b', 'c', 'd', 'e'].map((name) => {
      const dest = join(conf.dir, `${name}.out`);
      writeFileSync(dest, 'value=old\n');
      conf.addResource({
        name,
        template: 'value={{getv "/value"}}\n',
        fields: { dest, keys: ['/value'], check_cmd: `sh -c "echo ${name} >> ${checks}; while [ ! -e ${release} ]; do sleep 0.05; done"` },
      });
      return dest;
    });
    const w = watch(conf, data);
    await eventually(() => lines(checks) >= 1, 'the first check started');
    w.signal('SIGTERM');
    await w.waitFor(/SIGTERM: finishing the resource in flight/);
    writeFileSync(release, '');
    expect(await w.exited()).toBe(0);
    expect(w.output()).not.toMatch(/ready; watching/);
    // The resource in flight finished; none after it started.
    expect(lines(checks)).toBe(1);
    expect(read(dests[0]!)).toBe('value=new\n');
    for (const dest of dests.slice(1)) expect(read(dest)).toBe('value=old\n');
    expect(readdirSync(conf.dir).filter((f) => f.includes('.switchyard-'))).toEqual([]);
  });

  it('SIGHUP with --noop leaves stale stage files alone', async () => {
    const conf = makeConfdir();
    const data = join(conf.dir, 'data.yaml');
    writeFileSync(data, 'value: v\n');
    const dest = join(conf.dir, 'app.out');
    conf.addResource({ name: 'app', template: 'value={{getv "/value"}}\n', fields: { dest, keys: ['/value'] } });
    const stale = join(conf.dir, '.app.out.switchyard-stage-0123456789ab');
    writeFileSync(stale, 'left by a killed run\n');
    const w = watch(conf, data, '--noop');
    await w.waitFor(/ready; watching/);
    w.signal('SIGHUP');
    await w.waitFor(/configuration reloaded/);
    expect(read(stale)).toBe('left by a killed run\n');
    expect(existsSync(dest)).toBe(false);
  });

  it('retries a commit that failed on a read-only dest until it converges, with no change of keys', async () => {
    const conf = makeConfdir();
    const data = join(conf.dir, 'data.yaml');
    writeFileSync(data, 'value: one\n');
    const out = join(conf.dir, 'out');
    mkdirSync(out);
    const dest = join(out, 'app.conf');
    conf.addResource({ name: 'app', template: 'value={{getv "/value"}}\n', fields: { dest, keys: ['/value'] } });
    const w = watch(conf, data);
    await w.waitFor(/ready; watching/);
    expect(read(dest)).toBe('value=one\n');

    mountReadOnly(out);
    writeFileSync(data, 'value: two\n');
    await w.waitFor(/stage failed: .*read-only file system/i);
    await w.waitFor(/will retry/);
    expect(read(dest)).toBe('value=one\n');

    unmount(out);
    await eventually(() => read(dest) === 'value=two\n', 'dest converged after the mount went away', 20_000);
    // The backup of the previous file goes once the new one is live (after the directory's fsync).
    await eventually(() => readdirSync(out).length === 1, 'the backup to be removed', 5_000).catch(() => undefined);
    expect(readdirSync(out)).toEqual(['app.conf']);
  });
});
