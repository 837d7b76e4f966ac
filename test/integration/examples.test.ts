// The examples run as their READMEs say: the quickstart with the file backend,
// and the loopback scripts with real etcd, nginx and HAProxy.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from '../harness/cli.js';

const run = promisify(execFile);

describe('examples', () => {
  it('quickstart renders with the file backend', async () => {
    const r = await runCli(['--onetime', '--confdir', join(REPO, 'examples/quickstart')]);
    expect(r.code, r.stderr).toBe(0);
    const out = readFileSync(join(REPO, 'examples/quickstart/out/app.conf'), 'utf8');
    expect(out).toContain('server 127.0.0.1:9001;');
    expect(out).toContain('server 127.0.0.1:9102 max_fails=3 fail_timeout=5s;');
  });

  it('etcd-nginx-bluegreen/run.sh switches nginx from blue to green and refuses a bad value', async () => {
    const { stdout } = await run('bash', [join(REPO, 'examples/etcd-nginx-bluegreen/run.sh')], { timeout: 90_000 });
    // nginx starts without a working upstream: only switchyard's render makes it answer blue.
    expect(stdout).toMatch(/nginx answers before switchyard: HTTP 502[\s\S]*switchyard --onetime[\s\S]*nginx answers: blue 1/);
    expect(stdout).toMatch(/switching live to green[\s\S]*nginx answers: green 1/);
    expect(stdout).toMatch(/render failed[\s\S]*nginx answers: green 1/);
    expect(stdout).toMatch(/==> done/);
  }, 120_000);

  it('etcd-haproxy/run.sh follows servers added and removed in etcd', async () => {
    const { stdout } = await run('bash', [join(REPO, 'examples/etcd-haproxy/run.sh')], { timeout: 90_000 });
    expect(stdout).toMatch(/ {4}server b 127\.0\.0\.1:\d+ check inter 1s/);
    expect(stdout).not.toMatch(/ {4}server a /);
    expect(stdout).toMatch(/HAProxy answers: green 1/);
  }, 120_000);
});
