// The single executable's --onetime read from etcd (the one-shot client over
// node:http2, imported when the run first needs it): the same files as
// bin/switchyard, byte for byte. Runs on the host against a real etcd.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../harness/cli.js';
import { startEtcd, type EtcdServer } from '../harness/etcd.js';
import { repoRoot } from '../harness/nspawn.js';

const EXECUTABLE = join(repoRoot, `dist/switchyard-${process.platform}-${process.arch}`);

const confdir = (dir: string): string => {
  mkdirSync(join(dir, 'conf.d'), { recursive: true });
  mkdirSync(join(dir, 'templates'), { recursive: true });
  writeFileSync(join(dir, 'templates', 'pool.hbs'), 'upstream pool {\n{{#each (gets "/servers/*")}}    server {{value}}; # {{Key}}\n{{/each}}}\n');
  writeFileSync(join(dir, 'conf.d', 'pool.toml'), `[template]\nsrc = "pool.hbs"\ndest = "${join(dir, 'pool.conf')}"\nprefix = "/app"\nkeys = ["/servers"]\n`);
  return join(dir, 'pool.conf');
};

describe('the single executable reading etcd once', () => {
  let etcd: EtcdServer;
  let work: string;

  beforeAll(async () => {
    if (!existsSync(EXECUTABLE)) throw new Error(`${EXECUTABLE} is missing: run \`npm run package\` first (\`npm run test:system\` does)`);
    work = mkdtempSync(join(tmpdir(), 'switchyard-sea-etcd-'));
    etcd = await startEtcd();
    for (let i = 0; i < 5; i++) await etcd.etcdctl('put', `/app/servers/web-${i}`, `10.0.0.${i}:80`);
  });

  afterAll(async () => {
    await etcd?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('writes what bin/switchyard writes', async () => {
    const args = (dir: string): string[] => ['--onetime', '--backend', 'etcd', '--node', etcd.endpoint, '--confdir', dir, '--log-level', 'error'];
    const fromNode = confdir(join(work, 'node'));
    const fromExecutable = confdir(join(work, 'executable'));
    const viaNode = await runCli(args(join(work, 'node')));
    expect(viaNode.code, viaNode.stderr).toBe(0);
    const viaExecutable = await runCli(args(join(work, 'executable')), { executable: EXECUTABLE });
    expect(viaExecutable.code, viaExecutable.stderr).toBe(0);
    expect(readFileSync(fromNode, 'utf8')).toContain('    server 10.0.0.4:80; # /servers/web-4\n');
    expect(readFileSync(fromExecutable, 'utf8')).toBe(readFileSync(fromNode, 'utf8'));
  });
});
