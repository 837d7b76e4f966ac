// Errors a newcomer (often coming from confd) meets first, each one step from
// the fix: a mistyped flag, confd's single-dash flags and confd.toml spellings,
// --confdir pointing at conf.d, a missing template, a Go-template construct,
// a key outside the resource's keys. File backend, no server.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../harness/cli.js';
import { makeConfdir } from '../harness/confdir.js';

const fileSetup = (template = 'port={{getv "/port"}}\n', keys = ['/port']) => {
  const conf = makeConfdir();
  const data = join(conf.dir, 'data.yaml');
  writeFileSync(data, 'app:\n  port: 9001\n  live: blue\n');
  const dest = join(conf.dir, 'out.conf');
  conf.addResource({ name: 'app', template, fields: { dest, prefix: '/app', keys } });
  return { conf, data, dest };
};

describe('usage errors name the fix', () => {
  it('suggests the flag that was meant, in every command, and exits 2', async () => {
    const run = await runCli(['--onetime', '--confdri', '/tmp']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Unknown argument: confdri');
    expect(run.stderr).toContain('--confdri: did you mean --confdir?');
    const bluegreen = await runCli(['bluegreen', 'status', '--app', 'web', '--nodes', 'http://127.0.0.1:1']);
    expect(bluegreen.code).toBe(2);
    expect(bluegreen.stderr).toContain('--nodes: did you mean --node?');
    const check = await runCli(['check', '--prefx', '/a']);
    expect(check.code).toBe(2);
    expect(check.stderr).toContain('--prefx: did you mean --prefix?');
    const far = await runCli(['--onetime', '--zzzzzzzz']);
    expect(far.code).toBe(2);
    expect(far.stderr).not.toContain('did you mean');
  });

  it('suggests the command that was meant, and exits 2', async () => {
    const typo = await runCli(['rendr', 'app.hbs']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('Unknown arguments: rendr, app.hbs');
    expect(typo.stderr).toContain('rendr: did you mean switchyard render?');
    expect(typo.stderr).not.toContain('--app.hbs');
    const far = await runCli(['frobnicate']);
    expect(far.code).toBe(2);
    expect(far.stderr).not.toContain('did you mean');
  });

  it("takes confd's single-dash flags as confd does", async () => {
    const { conf, data, dest } = fileSetup();
    const r = await runCli(['-onetime', '-backend', 'file', '-file', data, '-confdir', conf.dir, '-log-level', 'debug', '-sync-only', '-keep-stage-file']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(dest, 'utf8')).toBe('port=9001\n');
    expect(r.stderr).toContain('DEBUG');
    const noop = await runCli(['-onetime', '-noop', `-confdir=${conf.dir}`, '-backend=file', `-file=${data}`, '-prefix', '/other']);
    expect(noop.code).toBe(1);
    expect(noop.stderr).toContain('(/other/app/port) not found under the prefix /other/app');
  });

  it("reads confd.toml's spellings in switchyard.toml", async () => {
    const { conf, data, dest } = fileSetup();
    writeFileSync(join(conf.dir, 'switchyard.toml'), `backend = "file"\nfile = ["${data}"]\nlog-level = "debug"\nsync-only = true\n`);
    const r = await runCli(['-onetime', '-confdir', conf.dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(dest, 'utf8')).toBe('port=9001\n');
    expect(r.stderr).toContain('DEBUG');
    writeFileSync(join(conf.dir, 'switchyard.toml'), 'backend = "etcdv3"\nscheme = "https"\n');
    const scheme = await runCli(['--onetime', '--confdir', conf.dir]);
    expect(scheme.code).toBe(2);
    expect(scheme.stderr).toContain("scheme: confd's scheme is not supported: write the scheme in each node URL");
  });

  it('check reads switchyard.toml and --config-file like the run', async () => {
    const { conf } = fileSetup();
    const elsewhere = makeConfdir();
    const options = join(elsewhere.dir, 'options.toml');
    writeFileSync(options, `confdir = "${conf.dir}"\n`);
    const ok = await runCli(['check', '--config-file', options]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain('ok    app.toml');
    writeFileSync(join(conf.dir, 'switchyard.toml'), 'log_levle = "debug"\n');
    const bad = await runCli(['check', '--confdir', conf.dir]);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain('log_levle: unknown key (did you mean log_level?)');
  });

  it('bluegreen --help lists its options', async () => {
    const r = await runCli(['bluegreen', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--app', '--verify-url', '--force', '--drain', '--backend', '--node', '--prefix', '--auth-token']) expect(r.stdout).toContain(flag);
  });

  it('--confdir naming conf.d itself gets the parent directory as the fix', async () => {
    const { conf } = fileSetup();
    const r = await runCli(['--onetime', '--backend', 'env', '--confdir', join(conf.dir, 'conf.d')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`use --confdir ${conf.dir}`);
  });

  it('a missing template names the .toml and its src key', async () => {
    const { conf, data } = fileSetup();
    rmSync(join(conf.dir, 'templates', 'app.hbs'));
    const r = await runCli(['--onetime', '--backend', 'file', '--file', data, '--confdir', conf.dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(conf.dir, 'conf.d', 'app.toml')}: template.src: template ${join(conf.dir, 'templates', 'app.hbs')} not found`);
  });

  it('a Go-template construct is named with file:line and points to switchyard migrate', async () => {
    const { conf } = fileSetup('upstream {\n{{range gets "/servers/*"}}  server {{.Value}};\n{{end}}}\n');
    const r = await runCli(['check', '--confdir', conf.dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`${join(conf.dir, 'templates', 'app.hbs')}:2:1: Go-template syntax {{range gets "/servers/*"}}`);
    expect(r.stdout).toContain('switchyard migrate confd');
  });

  it("a key outside the resource's keys says so", async () => {
    const { conf, data } = fileSetup('{{getv "/port"}} {{getv "/live"}}\n', ['/port']);
    const r = await runCli(['--onetime', '--backend', 'file', '--file', data, '--confdir', conf.dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("/app/live is outside the resource's keys (/app/port), so it is never fetched: add it to keys");
  });
});
