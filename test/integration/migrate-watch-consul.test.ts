// A migrated consul-template resource has no `keys`: switchyard infers them
// (here: none, one service) and the watcher follows the catalog all the same.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, runCli, startWatcher, type Watcher } from '../harness/cli.js';
import { startConsul, type ConsulServer } from '../harness/consul.js';

let consul: ConsulServer;
let dir: string;
let watcher: Watcher | undefined;

beforeAll(async () => {
  consul = await startConsul();
  dir = mkdtempSync(join(tmpdir(), 'switchyard-migrate-watch-'));
  await consul.registerService({ id: 'web-1', name: 'web', address: '10.0.0.1', port: 8080 });
}, 120_000);

afterAll(async () => {
  await watcher?.stop();
  await consul?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a migrated service-only consul-template resource', () => {
  it('renders and follows the catalog without keys', async () => {
    const out = join(dir, 'web.conf');
    writeFileSync(join(dir, 'web.ctmpl'), 'upstream web {\n{{- range service "web" }}\n  server {{ .Address }}:{{ .Port }};\n{{- end }}\n}\n');
    writeFileSync(
      join(dir, 'config.hcl'),
      `consul {\n  address = "${consul.address.replace(/^https?:\/\//, '')}"\n}\ntemplate {\n  source = "web.ctmpl"\n  destination = "${out}"\n}\n`,
    );
    const migrated = await runCli(['migrate', 'consul-template', join(dir, 'config.hcl'), join(dir, 'sy')]);
    expect(migrated.code).toBe(0);
    expect(readFileSync(join(dir, 'sy/conf.d/web.toml'), 'utf8')).not.toContain('keys');
    watcher = startWatcher(['--confdir', join(dir, 'sy')]);
    await eventually(() => existsSync(out), 'the first render');
    expect(readFileSync(out, 'utf8')).toBe('upstream web {\n  server 10.0.0.1:8080;\n}\n');
    await consul.registerService({ id: 'web-2', name: 'web', address: '10.0.0.2', port: 8081 });
    await eventually(() => readFileSync(out, 'utf8').includes('10.0.0.2:8081'), 'the new instance in the file');
    expect(readFileSync(out, 'utf8')).toBe('upstream web {\n  server 10.0.0.1:8080;\n  server 10.0.0.2:8081;\n}\n');
  });
});
