// The authoring loop without a store: render --watch follows every edit of
// the template and the data; check --data renders every resource and runs
// its check_cmd without touching dest.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, runCli, startWatcher, type Watcher } from '../harness/cli.js';
import { makeConfdir } from '../harness/confdir.js';

let watcher: Watcher | undefined;
afterEach(async () => {
  await watcher?.stop();
  watcher = undefined;
});

const read = (file: string): string => (existsSync(file) ? readFileSync(file, 'utf8') : '');

describe('render --watch', () => {
  it('renders again on every change of the template or the data, and survives a broken edit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-author-'));
    const template = join(dir, 'site.hbs');
    const data = join(dir, 'data.yaml');
    const out = join(dir, 'site.conf');
    writeFileSync(template, 'server_name {{getv "/site/name"}};\n');
    writeFileSync(data, 'site:\n  name: one.example\n');
    watcher = startWatcher(['render', template, '--data', data, '--out', out, '--watch']);
    await eventually(() => read(out) === 'server_name one.example;\n', 'first render');
    writeFileSync(data, 'site:\n  name: two.example\n');
    await eventually(() => read(out) === 'server_name two.example;\n', 'render after a data change');
    writeFileSync(template, 'server_name {{getv "/site/name"}}; # edited\n');
    await eventually(() => read(out) === 'server_name two.example; # edited\n', 'render after a template change');
    writeFileSync(template, 'server_name {{#if}};\n');
    await watcher.waitFor(/render failed|configuration error/);
    writeFileSync(template, 'listen 80; server_name {{getv "/site/name"}};\n');
    await eventually(() => read(out) === 'listen 80; server_name two.example;\n', 'render after the fix');
    watcher.signal('SIGTERM');
    expect(await watcher.exited()).toBe(0);
  });
});

describe('check --data', () => {
  it("renders each resource from local data and runs its check_cmd on the result; dest is never written", async () => {
    const conf = makeConfdir();
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-checkdata-'));
    const data = join(dir, 'data.yaml');
    writeFileSync(data, 'web:\n  port: "8080"\napi:\n  port: "not-a-port"\n');
    const web = join(conf.dir, 'web.conf');
    const api = join(conf.dir, 'api.conf');
    const portCheck = `sh -c "grep -Eq '^listen [0-9]+;$' {{src}}"`;
    conf.addResource({ name: 'web', template: 'listen {{getv "/port"}};\n', fields: { dest: web, prefix: '/web', keys: ['/port'], check_cmd: portCheck } });
    conf.addResource({ name: 'api', template: 'listen {{getv "/port"}};\n', fields: { dest: api, prefix: '/api', keys: ['/port'], check_cmd: portCheck } });
    const res = await runCli(['check', '--confdir', conf.dir, '--data', data]);
    expect(res.stdout).toMatch(/^ok +web\.toml: rendered and checked$/m);
    expect(res.stdout).toMatch(/^error api\.toml: .*exit/m);
    expect(res.stdout).toMatch(/1 of 2 resources failed/);
    expect(res.code).toBe(1);
    expect(existsSync(web)).toBe(false);
    expect(existsSync(api)).toBe(false);

    writeFileSync(data, 'web:\n  port: "8080"\napi:\n  port: "9090"\n');
    const fixed = await runCli(['check', '--confdir', conf.dir, '--data', data]);
    expect(fixed.code, fixed.stdout).toBe(0);
    expect(fixed.stdout).toMatch(/2 resources rendered and checked/);
  });
});
