import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkConfdir } from '../../src/cli/check-command.js';
import { DEFAULT_POLICY } from '../../src/config/resource.js';
import { ConfigError } from '../../src/errors.js';
import { loadConfiguration } from '../../src/daemon/configuration.js';

let confdir: string;
let counter = 0;

const resource = async (name: string, template: string, keys?: string[], prefix?: string): Promise<void> => {
  // A fresh template file name each time: the engine caches by file.
  const src = `${name}-${counter++}.hbs`;
  await writeFile(join(confdir, 'templates', src), template);
  const lines = ['[template]', `src = "${src}"`, `dest = "out/${name}"`];
  if (keys) lines.push(`keys = ${JSON.stringify(keys)}`);
  if (prefix) lines.push(`prefix = "${prefix}"`);
  await writeFile(join(confdir, 'conf.d', `${name}.toml`), lines.join('\n') + '\n');
};

beforeEach(async () => {
  confdir = await mkdtemp(join(tmpdir(), 'sy-infer-'));
  await mkdir(join(confdir, 'conf.d'));
  await mkdir(join(confdir, 'templates'));
});

afterEach(async () => {
  await rm(confdir, { recursive: true, force: true });
});

describe('keys inferred from the template', () => {
  it('takes every literal key argument: values, patterns, directories, proxy-safe helpers', async () => {
    const template = [
      '{{getv "/live"}}{{#each (gets "/upstream/*/addr")}}{{value}}{{/each}}',
      '{{#each (lsdir "/hosts")}}{{this}}{{/each}}{{#if (exists "/flag")}}{{hostPort "/blue/addr"}}{{/if}}',
      '{{#each (consulService "v2.web|passing")}}{{Address}}{{/each}}{{#each (service "api")}}{{address}}{{/each}}',
    ].join('\n');
    await resource('app', template, undefined, '/app');
    const { resources, templates } = await loadConfiguration(confdir, '/global');
    const [r] = resources;
    expect(r?.keys).toEqual(['/blue/addr', '/flag', '/hosts', '/live', '/upstream']);
    expect(r?.paths).toEqual(['/global/app/blue/addr', '/global/app/flag', '/global/app/hosts', '/global/app/live', '/global/app/upstream']);
    expect(templates.get('app.toml')?.inferred.services).toEqual(['api', 'web']);
  });

  it('keeps the keys a resource lists, even when the template computes its arguments', async () => {
    await resource('given', '{{getv (printf "/%s" "x")}}', ['/x']);
    const { resources } = await loadConfiguration(confdir, '');
    expect(resources[0]?.keys).toEqual(['/x']);
  });

  it('refuses a computed argument without keys, naming the template line', async () => {
    await resource('dyn', 'a\n{{#each (ls "/d")}}\n  {{getv (printf "/d/%s" this)}}\n{{/each}}\n');
    const err = await loadConfiguration(confdir, '').then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/dyn\.toml: keys: keys cannot be inferred: .*dyn-\d+\.hbs:3:3: getv is called with a computed argument/);
  });

  it('marks a template reading the service list, and a service named by its entries needs no keys', async () => {
    await resource('list', '{{#each (consulServices)}}{{#each (consulService Name)}}{{Address}}{{/each}}{{/each}}');
    await resource('one', '{{#each (service "web")}}{{address}}{{/each}}');
    const { resources, templates } = await loadConfiguration(confdir, '');
    expect(resources.map((r) => r.keys)).toEqual([[], []]);
    expect(templates.get('list.toml')?.inferred).toEqual({ keys: [], services: [], serviceList: true });
    expect(templates.get('one.toml')?.inferred).toEqual({ keys: [], services: ['web'] });
  });

  it('switchyard check prints the inferred keys at debug level only', async () => {
    await resource('svc', '{{#each (service "web")}}{{address}}{{/each}}{{getv "/port" "80"}}');
    await resource('all', '{{#each (consulServices)}}{{Name}}{{/each}}');
    const lines: string[] = [];
    expect(await checkConfdir(confdir, '', (l) => lines.push(l), DEFAULT_POLICY, true)).toBe(0);
    expect(lines).toContain('debug svc.toml: inferred keys /port; services web');
    expect(lines).toContain('debug all.toml: inferred keys (none); the service list');
    const quiet: string[] = [];
    await checkConfdir(confdir, '', (l) => quiet.push(l), DEFAULT_POLICY, false);
    expect(quiet.some((l) => l.startsWith('debug'))).toBe(false);
  });
});
