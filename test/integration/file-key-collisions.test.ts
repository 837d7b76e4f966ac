// Two places in one YAML/JSON document that flatten to the same key ("/v/"
// and "v"; "a/b" and a: {b}) through the built CLI: the run fails naming the
// file and both places and keeps dest; `render --data` refuses the file as
// bad input; in watch mode the daemon stays up with the live file and
// converges once the document is fixed.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, runCli, startWatcher, type Watcher } from '../harness/cli.js';
import { makeConfdir } from '../harness/confdir.js';
import { pidAlive } from '../harness/processes.js';

let watcher: Watcher | undefined;
afterEach(async () => {
  await watcher?.stop();
  watcher = undefined;
});

const read = (f: string): string => (existsSync(f) ? readFileSync(f, 'utf8') : '');

const setup = (document: string, name = 'data.yaml') => {
  const conf = makeConfdir();
  const data = join(conf.dir, name);
  writeFileSync(data, document);
  const dest = join(conf.dir, 'out.conf');
  writeFileSync(dest, 'old\n');
  conf.addResource({ name: 'app', template: 'v={{getv "/v"}} ab={{getv "/a/b"}}\n', fields: { dest, prefix: '/app', keys: ['/'] } });
  return { conf, data, dest, args: ['--confdir', conf.dir, '--backend', 'file', '--file', data] };
};

const GOOD = 'app:\n  v: 1\n  a:\n    b: 2\n';

describe('file backend: keys that collide once flattened', () => {
  it('--onetime fails (exit 1) naming the file and both places, and keeps dest', async () => {
    const { args, data, dest } = setup('app:\n  /v/: 1\n  v: 2\n  a:\n    b: 3\n');
    const r = await runCli([...args, '--onetime']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`fetch failed: file at ${data}: ["app","/v/"] and ["app","v"] both become the key "/app/v"; rename or remove one`);
    expect(read(dest)).toBe('old\n');
  });

  it('a mapping key holding "/" collides with the nested path it spells (JSON)', async () => {
    const { args, data, dest } = setup('{"app": {"v": 1, "a/b": 2, "a": {"b": 3}}}', 'data.json');
    const r = await runCli([...args, '--onetime']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`${data}: ["app","a/b"] and ["app","a","b"] both become the key "/app/a/b"`);
    expect(read(dest)).toBe('old\n');
  });

  it('render --data refuses the document as bad input (exit 2)', async () => {
    const { conf, data } = setup('app:\n  v: 1\n  a/b: 2\n  a:\n    b: 3\n');
    const r = await runCli(['render', join(conf.dir, 'templates', 'app.hbs'), '--data', data, '--prefix', '/app']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${data}: ["app","a/b"] and ["app","a","b"] both become the key "/app/a/b"`);
  });

  it('in watch mode the daemon stays up, keeps the live file, and converges after a fix', async () => {
    const { args, data, dest } = setup(GOOD);
    watcher = startWatcher(args);
    await watcher.waitFor(/ready; watching/);
    expect(read(dest)).toBe('v=1 ab=2\n');
    writeFileSync(data, 'app:\n  v: 5\n  /v: 6\n  a:\n    b: 7\n');
    await watcher.waitFor(/\["app","v"\] and \["app","\/v"\] both become the key "\/app\/v"/, 30_000);
    expect(pidAlive(watcher.pid)).toBe(true);
    expect(read(dest)).toBe('v=1 ab=2\n');
    writeFileSync(data, 'app:\n  v: 8\n  a:\n    b: 9\n');
    await eventually(() => read(dest) === 'v=8 ab=9\n', `dest converges after the fix (output: ${watcher?.output()})`, 30_000);
    expect(await watcher.stop()).toBe(0);
  });
});
