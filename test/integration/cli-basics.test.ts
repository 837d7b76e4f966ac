// The CLI as users meet it, with the file backend (no server): exit codes,
// check, render, JSON logs, watching files, --interval, --sync-only, SIGTERM.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, REPO, runCli, startWatcher, type Watcher } from '../harness/cli.js';
import { makeConfdir } from '../harness/confdir.js';
import { freePort } from '../harness/ports.js';

let watcher: Watcher | undefined;
afterEach(async () => {
  await watcher?.stop();
  watcher = undefined;
});

const read = (f: string): string => (existsSync(f) ? readFileSync(f, 'utf8') : '');

const fileSetup = (fields: Record<string, string | string[]> = {}, template = 'port={{getv "/port"}}\n') => {
  const conf = makeConfdir();
  const data = join(conf.dir, 'data.yaml');
  writeFileSync(data, 'app:\n  port: 9001\n');
  const dest = join(conf.dir, 'out.conf');
  conf.addResource({ name: 'app', template, fields: { dest, prefix: '/app', keys: ['/port'], ...fields } });
  const args = ['--confdir', conf.dir, '--backend', 'file', '--file', data];
  return { conf, data, dest, args };
};

describe('switchyard CLI basics', () => {
  it('prints its version and help', async () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    const v = await runCli(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(pkg.version);
    const h = await runCli(['--help']);
    expect(h.code).toBe(0);
    for (const flag of ['--confdir', '--onetime', '--noop', '--wait', '--metrics-addr', 'render', 'check', 'bluegreen']) {
      expect(h.stdout).toContain(flag);
    }
  });

  it('exits 2 on a bad flag, a bad value and a bad config file', async () => {
    const bad = await runCli(['--onetime', '--bogus-flag']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bogus-flag/);
    const { args, conf } = fileSetup();
    const level = await runCli([...args, '--onetime', '--log-level', 'chatty']);
    expect(level.code).toBe(2);
    expect(level.stderr).toMatch(/log-level.*chatty/);
    writeFileSync(join(conf.dir, 'switchyard.toml'), 'bakend = "etcd"\n');
    const toml = await runCli([...args, '--onetime']);
    expect(toml.code).toBe(2);
    expect(toml.stderr).toContain(`${join(conf.dir, 'switchyard.toml')}: bakend: unknown key`);
  });

  it('check reports a template syntax error with file, line and column and exits 2', async () => {
    const { conf } = fileSetup({}, 'ok\n{{#if (eq 1 1)}}\nunclosed\n');
    const r = await runCli(['check', '--confdir', conf.dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(new RegExp(`${join(conf.dir, 'templates', 'app.hbs')}:\\d+:\\d+`));
    const good = fileSetup();
    const ok = await runCli(['check', '--confdir', good.conf.dir]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/1 resource ok/);
  });

  it('render previews a template from local data; a missing key exits 1 naming it', async () => {
    const { conf, data } = fileSetup();
    const tpl = join(conf.dir, 'templates', 'app.hbs');
    const r = await runCli(['render', tpl, '--data', data, '--prefix', '/app']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('port=9001\n');
    const missing = await runCli(['render', tpl, '--data', data]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('/port');
  });

  it('renders with the file backend and logs JSON lines', async () => {
    const { args, dest } = fileSetup({ mode: '0600' });
    const r = await runCli([...args, '--onetime', '--log-format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(read(dest)).toBe('port=9001\n');
    const lines = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as { level: string; msg: string });
    expect(lines.some((l) => l.level === 'info' && l.msg === 'done')).toBe(true);
  });

  it('--sync-only writes the file without running the check or reload commands', async () => {
    const marks = makeConfdir().dir;
    const checked = join(marks, 'checked');
    const reloaded = join(marks, 'reloaded');
    const { args, dest } = fileSetup({ check_cmd: `sh -c "touch ${checked}; exit 1"`, reload_cmd: `touch ${reloaded}` });
    expect((await runCli([...args, '--onetime'])).code).toBe(1);
    expect(read(dest)).toBe('');
    expect(existsSync(checked)).toBe(true); // the commands are live: without --sync-only the check ran
    rmSync(checked);
    const r = await runCli([...args, '--onetime', '--sync-only']);
    expect(r.code, r.stderr).toBe(0);
    expect(read(dest)).toBe('port=9001\n');
    expect(existsSync(checked)).toBe(false);
    expect(existsSync(reloaded)).toBe(false);
  });

  it('watches the data file and re-renders on change', async () => {
    const { args, data, dest } = fileSetup();
    watcher = startWatcher(args);
    await watcher.waitFor(/ready; watching/);
    expect(read(dest)).toBe('port=9001\n');
    writeFileSync(data, 'app:\n  port: 9002\n');
    await eventually(() => read(dest) === 'port=9002\n', 'dest follows the file');
  });

  it('--interval polls without watching', async () => {
    const { args, data, dest } = fileSetup();
    watcher = startWatcher([...args, '--interval', '1']);
    await watcher.waitFor(/ready; watching.*interval/);
    writeFileSync(data, 'app:\n  port: 9003\n');
    await eventually(() => read(dest) === 'port=9003\n', 'dest follows the file on the next poll', 10_000);
  });

  it('SIGTERM finishes the resource in flight and exits 0', async () => {
    const conf = makeConfdir();
    const data = join(conf.dir, 'data.yaml');
    writeFileSync(data, 'app:\n  port: 1\n');
    const started = join(conf.dir, 'reload-started');
    const finished = join(conf.dir, 'reload-finished');
    conf.addResource({
      name: 'slow',
      template: 'port={{getv "/port"}}\n',
      fields: { dest: join(conf.dir, 'out'), prefix: '/app', keys: ['/port'], reload_cmd: `sh -c "touch ${started}; sleep 2; touch ${finished}"` },
    });
    watcher = startWatcher(['--confdir', conf.dir, '--backend', 'file', '--file', data]);
    await eventually(() => existsSync(started), 'the first reload starts');
    watcher.signal('SIGTERM');
    expect(await watcher.exited()).toBe(0);
    expect(existsSync(finished)).toBe(true);
  });

  it('--metrics-addr serves /metrics, /healthz and a status page', async () => {
    const { args } = fileSetup();
    const port = await freePort();
    watcher = startWatcher([...args, '--metrics-addr', `127.0.0.1:${port}`]);
    await watcher.waitFor(/ready; watching/);
    const get = async (path: string) => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      return { status: res.status, body: await res.text() };
    };
    const metrics = await get('/metrics');
    expect(metrics.body).toMatch(/^switchyard_updates_total 1$/m);
    expect(metrics.body).toMatch(/^switchyard_resource_ok\{resource="app.toml"\} 1$/m);
    expect(await get('/healthz')).toEqual({ status: 200, body: 'ok\n' });
    expect((await get('/')).body).toContain('app.toml');
  });

  it('never logs the password, even at debug level', async () => {
    const secret = 'hunter2-very-secret';
    const unreachable = await runCli(['--onetime', '--confdir', fileSetup().conf.dir, '--backend', 'etcd', '--node', 'http://127.0.0.1:1', '--username', 'root', '--log-level', 'debug'], {
      env: { SWITCHYARD_PASSWORD: secret },
    });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr + unreachable.stdout).not.toContain(secret);
    // A reload command that prints the password (read from a file: commands do not
    // inherit SWITCHYARD_PASSWORD): the debug log shows its output, masked.
    const { conf } = fileSetup();
    const printed = join(conf.dir, 'printed.txt');
    writeFileSync(printed, `reload with ${secret}\n`);
    const withReload = fileSetup({ reload_cmd: `cat ${printed}` });
    const r = await runCli([...withReload.args, '--onetime', '--log-level', 'debug'], { env: { SWITCHYARD_PASSWORD: secret } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('reload with ***');
    expect(r.stderr + r.stdout).not.toContain(secret);
  });
});
