// The npm package: `npm pack` of this checkout, installed globally into a
// temporary prefix from the tarball, runs `switchyard --version` and the
// quickstart's --onetime from its own copy of the examples. The bundle needs
// no dependencies, so the install fetches nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO, runCli } from '../harness/cli.js';

const exec = promisify(execFile);
const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };

describe('npm pack, then npm install -g of the tarball', () => {
  let work: string;
  let prefix: string;
  let tarball: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'switchyard-npm-'));
    prefix = join(work, 'prefix');
    // dist/ is built by the suite (npm test); prepack would build it again.
    const packed = await exec('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: REPO, timeout: 120_000 });
    tarball = join(work, packed.stdout.trim().split('\n').pop() ?? '');
    await exec('npm', ['install', '--global', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', tarball], {
      cwd: work,
      timeout: 120_000,
    });
  }, 300_000);

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('packs the bundle, not the single executable or the unbundled build', () => {
    expect(statSync(tarball).size).toBeLessThan(5 * 1024 * 1024);
    const installed = join(prefix, 'lib/node_modules/switchyard');
    expect(existsSync(join(installed, 'dist/bundle/switchyard.js'))).toBe(true);
    expect(readdirSync(join(installed, 'dist'))).toEqual(['bundle']);
    // Everything it runs is in the bundle: no dependency was installed.
    expect(existsSync(join(installed, 'node_modules'))).toBe(false);
  });

  it('runs switchyard --version from the prefix', async () => {
    const { stdout } = await exec(join(prefix, 'bin/switchyard'), ['--version']);
    expect(stdout.trim()).toBe(version);
  });

  it('renders the quickstart it ships, as the checkout does', async () => {
    const confdir = join(work, 'quickstart');
    cpSync(join(prefix, 'lib/node_modules/switchyard/examples/quickstart'), confdir, { recursive: true, filter: (src) => !src.endsWith('/out') });
    const installed = await exec(join(prefix, 'bin/switchyard'), ['--onetime', '--confdir', confdir]);
    expect(installed.stderr).toMatch(/updated resource=app\.toml/);
    const rendered = readFileSync(join(confdir, 'out/app.conf'), 'utf8');

    const reference = join(work, 'reference');
    cpSync(join(REPO, 'examples/quickstart'), reference, { recursive: true, filter: (src) => !src.endsWith('/out') });
    const checkout = await runCli(['--onetime', '--confdir', reference]);
    expect(checkout.code, checkout.stderr).toBe(0);
    expect(rendered).toContain('server 127.0.0.1:9001;');
    expect(rendered).toBe(readFileSync(join(reference, 'out/app.conf'), 'utf8'));
  });
});
