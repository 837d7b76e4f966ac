// check-fragment against the real nginx -t and haproxy -c: the fragment is
// checked inside the full config, in place of dest.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheckFragment } from '../../src/cli/check-fragment.js';
import { checkFragment, FragmentSetupError } from '../../src/proxies/fragment-check.js';
import { HAPROXY } from '../harness/haproxy.js';
import { NGINX } from '../harness/nginx.js';
import { requireProgram } from '../harness/proxy-process.js';

const upstream = (name: string, port: number) => `upstream ${name} {\n    server 127.0.0.1:${port};\n}\n`;
const leftovers = (dir: string) => readdirSync(dir).filter((n) => n.includes('switchyard-check'));

describe('check-fragment nginx', () => {
  let dir: string;
  let main: string;
  let dest: string;
  let staged: string;
  const check = (extra: Partial<Parameters<typeof checkFragment>[0]> = {}) =>
    checkFragment({ proxy: 'nginx', configs: [main], staged, dest, bin: NGINX, prefix: dir, ...extra });

  beforeAll(() => {
    requireProgram(NGINX, 'nginx');
    dir = mkdtempSync(join(tmpdir(), 'switchyard-fragcheck-nginx-'));
    mkdirSync(join(dir, 'conf.d'));
    mkdirSync(join(dir, 'upstreams'));
    main = join(dir, 'nginx.conf');
    // Relative include (resolved against the main config's directory) to a
    // glob, whose file includes dest through a second glob.
    writeFileSync(
      main,
      `pid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents {}\nhttp {\n  # include /nowhere/*.conf;\n  include conf.d/*.conf;\n}\n`,
    );
    writeFileSync(join(dir, 'conf.d', 'site.conf'), 'include upstreams/*.conf;\nserver { listen 127.0.0.1:1; location / { proxy_pass http://app; } }\n');
    writeFileSync(join(dir, 'upstreams', 'other.conf'), upstream('other', 2));
    dest = join(dir, 'upstreams', 'app.conf');
    writeFileSync(dest, upstream('app', 3));
    staged = join(dir, 'upstreams', '.app.conf.switchyard-stage-0123456789ab');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts a valid fragment in place of dest (no duplicate upstream from the old dest)', async () => {
    writeFileSync(staged, upstream('app', 4));
    const result = await check();
    expect(result.output).toMatch(/syntax is ok/);
    expect(result.ok).toBe(true);
    expect(result.command).toContain(main);
    expect(leftovers(dir)).toEqual([]);
  });

  it('refuses a fragment that is only wrong in context, naming the original files', async () => {
    writeFileSync(staged, upstream('other', 5)); // duplicates the upstream of a sibling file
    const result = await check();
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/duplicate upstream "other"/);
    expect(result.output).toContain(`configuration file ${main} test failed`);
    expect(result.output).not.toMatch(/switchyard-(check|stage)/);
    expect(leftovers(dir)).toEqual([]);
  });

  it('refuses a syntax error, naming dest rather than the staged file', async () => {
    writeFileSync(staged, 'upstream app { server 127.0.0.1:9001; } server { listen 80');
    const result = await check();
    expect(result.ok).toBe(false);
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain(`${dest}:`);
    expect(result.output).not.toContain('switchyard-stage');
  });

  it('checks a dest that does not exist yet but matches the include glob', async () => {
    writeFileSync(staged, upstream('fresh', 6));
    const result = await check({ dest: join(dir, 'upstreams', 'fresh.conf') });
    expect(result.ok).toBe(true);
  });

  it('fails with a setup error when dest is not included by the config', async () => {
    await expect(check({ dest: join(dir, 'elsewhere.conf') })).rejects.toBeInstanceOf(FragmentSetupError);
    const out: string[] = [];
    const code = await runCheckFragment(
      { proxy: 'nginx', configs: [main], staged, dest: join(dir, 'elsewhere.conf'), bin: NGINX, prefix: dir, timeoutMs: 30_000 },
      (t) => out.push(t),
    );
    expect(code).toBe(2);
    expect(out.join('')).toMatch(/is not included by/);
    expect(leftovers(dir)).toEqual([]);
  });

  it('exits 0 / 1 through the command function', async () => {
    const args = { proxy: 'nginx' as const, configs: [main], staged, dest, bin: NGINX, prefix: dir, timeoutMs: 30_000 };
    writeFileSync(staged, upstream('app', 7));
    expect(await runCheckFragment(args, () => undefined)).toBe(0);
    writeFileSync(staged, 'upstream app {');
    const out: string[] = [];
    expect(await runCheckFragment(args, (t) => out.push(t))).toBe(1);
    expect(out.join('')).toMatch(/failed with exit code 1/);
  });
});

describe('check-fragment haproxy', () => {
  let dir: string;
  let main: string;
  let confd: string;
  let staged: string;
  const mainCfg = `defaults\n  mode http\n  timeout connect 1s\n  timeout client 1s\n  timeout server 1s\nfrontend fe\n  bind 127.0.0.1:1\n  default_backend app\n`;

  beforeAll(() => {
    requireProgram(HAPROXY, 'haproxy');
    dir = mkdtempSync(join(tmpdir(), 'switchyard-fragcheck-haproxy-'));
    main = join(dir, 'haproxy.cfg');
    confd = join(dir, 'conf.d');
    mkdirSync(confd);
    writeFileSync(main, mainCfg);
    writeFileSync(join(confd, 'app.cfg'), 'backend app\n  server s1 127.0.0.1:2\n');
    writeFileSync(join(confd, 'other.cfg'), 'backend other\n  server s1 127.0.0.1:3\n');
    staged = join(confd, '.app.cfg.switchyard-stage-0123456789ab');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const check = (dest: string, configs = [main, confd]) =>
    checkFragment({ proxy: 'haproxy', configs, staged, dest, bin: HAPROXY });

  it('accepts a valid backend swapped in for dest inside a config directory', async () => {
    writeFileSync(staged, 'backend app\n  server s1 127.0.0.1:4\n');
    const result = await check(join(confd, 'app.cfg'));
    expect(result.ok).toBe(true);
    expect(result.command).toContain(join(confd, 'other.cfg'));
  });

  it('refuses a fragment that breaks the full config, naming dest', async () => {
    writeFileSync(staged, 'backend other\n  server s1 127.0.0.1:4\n'); // the frontend's backend `app` vanishes, `other` is duplicated
    const result = await check(join(confd, 'app.cfg'));
    expect(result.ok).toBe(false);
    expect(result.output).toContain(join(confd, 'app.cfg'));
    expect(result.output).not.toContain('switchyard-stage');
  });

  it('swaps a dest given as a file, and a new dest in a directory', async () => {
    writeFileSync(staged, 'backend app\n  server s1 127.0.0.1:4\n');
    expect((await check(join(confd, 'app.cfg'), [main, join(confd, 'app.cfg')])).ok).toBe(true);
    writeFileSync(staged, 'backend fresh\n  server s1 127.0.0.1:4\n');
    expect((await check(join(confd, 'fresh.cfg'))).ok).toBe(true);
  });

  it('fails with a setup error when dest is not among the configs', async () => {
    await expect(check(join(dir, 'elsewhere.cfg'))).rejects.toBeInstanceOf(FragmentSetupError);
    expect(existsSync(staged)).toBe(true);
  });
});
