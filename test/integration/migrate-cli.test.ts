// `switchyard migrate` as users run it: the report, the exit codes, what is
// written, and what is refused.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../harness/cli.js';
import { CORPUS } from '../harness/migrate-corpus.js';

let dest: string;
afterEach(() => rmSync(dest, { recursive: true, force: true }));
const fresh = (): string => (dest = mkdtempSync(join(tmpdir(), 'switchyard-migrate-cli-')));

describe('switchyard migrate consul-template with an unconvertible construct', () => {
  const config = join(CORPUS, 'consul-template-vault/config.hcl');
  const template = join(CORPUS, 'consul-template-vault/templates/db.ctmpl');

  it('exits 1, names the construct with file:line, and writes the rest', async () => {
    const out = fresh();
    const result = await runCli(['migrate', 'consul-template', config, out]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`not converted  ${template}:3: secret "database/creds/app": not converted: Vault is not a switchyard backend`);
    const hbs = readFileSync(join(out, 'templates/db.hbs'), 'utf8');
    expect(hbs).toContain('host = {{getv "/db/host"}}');
    expect(hbs).toContain('port = {{getv "/db/port" "5432"}}');
    expect(hbs).toContain('{{unconverted "line 3: secret \\"database/creds/app\\"');
    const check = await runCli(['check', '--confdir', out]);
    expect(check.stdout).toContain('1 resource ok');
  });

  it('reads the HCL settings: command, perms, wait, global wait, address; reports the rest with their lines', async () => {
    const out = fresh();
    const result = await runCli(['migrate', 'consul-template', config, out]);
    const toml = readFileSync(join(out, 'conf.d/db.toml'), 'utf8');
    expect(toml).toContain('dest = "/etc/app/db.ini"');
    expect(toml).toContain(`reload_cmd = "systemctl reload 'app service'"`);
    expect(toml).toContain('mode = "0600"');
    expect(toml).toContain('wait = "1s:5s"');
    const globals = readFileSync(join(out, 'switchyard.toml'), 'utf8');
    expect(globals).toContain('backend = "consul"');
    expect(globals).toContain('nodes = [ "http://consul.internal:8500" ]');
    expect(globals).toContain('wait = "2s:10s"');
    expect(globals).toContain('command_timeout = "30s"');
    expect(result.stdout).toContain(`not converted  ${config}:4: consul.retry: no switchyard equivalent`);
    expect(result.stdout).toContain(`not converted  ${config}:9: vault: no switchyard equivalent`);
    expect(result.stdout).toContain(`not converted  ${config}:24: backup: not converted`);
    expect(result.stdout).toContain('error_on_missing_key');
  });

  it('writes the consul token only into a switchyard.toml that only its owner can read, and says so', async () => {
    const out = fresh();
    const result = await runCli(['migrate', 'consul-template', config, out]);
    expect(readFileSync(join(out, 'switchyard.toml'), 'utf8')).toContain('auth_token = "s3cr3t-token"');
    expect(statSync(join(out, 'switchyard.toml')).mode & 0o777).toBe(0o600);
    expect(result.stdout).toContain('(mode 0600: holds auth_token)');
    expect(result.stdout).toContain('CONSUL_HTTP_TOKEN');
    expect(result.stdout).not.toContain('s3cr3t-token');
    for (const file of ['conf.d/db.toml', 'templates/db.hbs']) expect(readFileSync(join(out, file), 'utf8')).not.toContain('s3cr3t');
  });
});

describe('switchyard migrate confd: global settings and resource keys', () => {
  it('maps confd.toml, lets its prefix replace the resources’ own, reports what it drops, keeps the password to the owner', async () => {
    const out = fresh();
    const src = join(CORPUS, 'confd-global');
    const result = await runCli(['migrate', 'confd', src, out]);
    expect(result.code).toBe(1);
    const globals = readFileSync(join(out, 'switchyard.toml'), 'utf8');
    expect(globals).toContain('backend = "etcd"');
    expect(globals).toContain('nodes = [ "http://127.0.0.1:2379", "https://10.0.0.2:2379" ]');
    expect(globals).toContain('interval = 60');
    expect(globals).toContain('log_level = "debug"');
    expect(globals).not.toContain('prefix');
    expect(statSync(join(out, 'switchyard.toml')).mode & 0o777).toBe(0o600);
    const toml = readFileSync(join(out, 'conf.d/app.toml'), 'utf8');
    expect(toml).toContain('prefix = "/production"');
    expect(toml).toContain('dest = "/etc/nginx/conf.d/app.conf"');
    expect(toml).toContain('check_cmd = "nginx -t -c {{.src}}"');
    expect(result.stdout).toContain(`not converted  ${join(src, 'confd.toml')}: srv_domain: no switchyard equivalent`);
    expect(result.stdout).toContain(`not converted  ${join(src, 'conf.d/app.toml')}: reload_command: not a confd resource setting`);
    expect((await runCli(['check', '--confdir', out])).stdout).toContain('1 resource ok');
  });
});

describe('switchyard migrate: usage', () => {
  it('exits 2 for an unknown tool and for a confdir without conf.d', async () => {
    const out = fresh();
    expect((await runCli(['migrate', 'puppet', out, out])).code).toBe(2);
    const missing = await runCli(['migrate', 'confd', join(out, 'nothing'), join(out, 'dest')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('conf.d');
  });

  it('exits 1 and names the line of a template that does not parse, writing the others', async () => {
    const out = fresh();
    const result = await runCli(['migrate', 'confd', join(CORPUS, 'confd-broken'), join(out, 'dest')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/not converted {2}.*confd-broken\/templates\/broken\.tmpl:2: template: does not parse: .*if/);
    expect(result.stdout).toContain('1 of 2 resources written');
    expect(readFileSync(join(out, 'dest/templates/good.hbs'), 'utf8')).toContain('{{getv "/a"}}');
  });
});
