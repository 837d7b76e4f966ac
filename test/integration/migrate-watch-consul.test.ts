// A migrated consul-template resource has no `keys`: switchyard infers them
// (here: none, one service; or none, the service list) and the watcher
// follows the catalog all the same.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, runCli, startWatcher, type Watcher } from '../harness/cli.js';
import { startConsul, type ConsulServer } from '../harness/consul.js';

let consul: ConsulServer;
let dir: string;
let watcher: Watcher | undefined;
let listWatcher: Watcher | undefined;

beforeAll(async () => {
  consul = await startConsul();
  dir = mkdtempSync(join(tmpdir(), 'switchyard-migrate-watch-'));
  await consul.registerService({ id: 'web-1', name: 'web', address: '10.0.0.1', port: 8080 });
}, 120_000);

afterAll(async () => {
  await watcher?.stop();
  await listWatcher?.stop();
  await consul?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes NAME.ctmpl and NAME.hcl, migrates them into dir/NAME (checking no keys are written); returns the destination. */
const migrateOne = async (name: string, template: string): Promise<string> => {
  const out = join(dir, `${name}.conf`);
  writeFileSync(join(dir, `${name}.ctmpl`), template);
  const address = consul.address.replace(/^https?:\/\//, '');
  writeFileSync(join(dir, `${name}.hcl`), `consul {\n  address = "${address}"\n}\ntemplate {\n  source = "${name}.ctmpl"\n  destination = "${out}"\n}\n`);
  const migrated = await runCli(['migrate', 'consul-template', join(dir, `${name}.hcl`), join(dir, name)]);
  expect(migrated.code).toBe(0);
  expect(readFileSync(join(dir, name, `conf.d/${name}.toml`), 'utf8')).not.toContain('keys');
  return out;
};

describe('a migrated service-only consul-template resource', () => {
  it('renders and follows the catalog without keys', async () => {
    const out = await migrateOne('web', 'upstream web {\n{{- range service "web" }}\n  server {{ .Address }}:{{ .Port }};\n{{- end }}\n}\n');
    watcher = startWatcher(['--confdir', join(dir, 'web')]);
    await eventually(() => existsSync(out), 'the first render');
    expect(readFileSync(out, 'utf8')).toBe('upstream web {\n  server 10.0.0.1:8080;\n}\n');
    await consul.registerService({ id: 'web-2', name: 'web', address: '10.0.0.2', port: 8081 });
    await eventually(() => readFileSync(out, 'utf8').includes('10.0.0.2:8081'), 'the new instance in the file');
    expect(readFileSync(out, 'utf8')).toBe('upstream web {\n  server 10.0.0.1:8080;\n  server 10.0.0.2:8081;\n}\n');
  });

  it('follows the service list: a service registered after start appears, a deregistered one goes', async () => {
    const template = [
      '{{- range services }}{{ if ne .Name "consul" }}',
      'backend {{ .Name }}{{ range service .Name }} {{ .Address }}:{{ .Port }}{{ end }}',
      '{{ end }}{{ end -}}',
      '',
    ].join('\n');
    const out = await migrateOne('all', template);
    listWatcher = startWatcher(['--confdir', join(dir, 'all')]);
    await eventually(() => existsSync(out), 'the first render');
    const before = '\nbackend web 10.0.0.1:8080 10.0.0.2:8081\n';
    expect(readFileSync(out, 'utf8')).toBe(before);
    await consul.registerService({ id: 'db-1', name: 'db', address: '10.0.2.1', port: 5432 });
    await eventually(() => readFileSync(out, 'utf8').includes('backend db'), 'the new service in the file');
    expect(readFileSync(out, 'utf8')).toBe(`\nbackend db 10.0.2.1:5432\n${before}`);
    await consul.deregisterService('db-1');
    await eventually(() => !readFileSync(out, 'utf8').includes('backend db'), 'the deregistered service gone from the file');
    expect(readFileSync(out, 'utf8')).toBe(before);
  });
});
