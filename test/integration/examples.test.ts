// The examples run as their READMEs say: every example's run.sh against the
// real etcd, Consul, nginx and HAProxy, asserting what its README promises,
// and leaving no process and no file behind.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { consulBinary } from '../harness/consul.js';
import { REPO, runCli } from '../harness/cli.js';
import { processesRunning } from '../harness/processes.js';

const run = promisify(execFile);

/** Runs an example's run.sh with its own TMPDIR; checks that it left nothing there. */
const runExample = async (script: string, args: string[] = []): Promise<string> => {
  const tmp = mkdtempSync(join(tmpdir(), 'example-'));
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp };
  if (script.startsWith('consul-')) env['SWITCHYARD_CONSUL_BIN'] = consulBinary();
  try {
    const { stdout } = await run('bash', [join(REPO, 'examples', script), ...args], { timeout: 150_000, env }).catch((err: unknown) => {
      // What the script printed says where it stopped (examples/lib/loopback.sh adds the failing command and the logs).
      const { stdout: out = '', stderr = '' } = err as { stdout?: string; stderr?: string };
      throw new Error(`${script} failed: ${(err as Error).message}\n--- stdout:\n${out}\n--- stderr:\n${stderr}`);
    });
    expect(readdirSync(tmp)).toEqual([]);
    // Every server it started was started with a path under tmp, and is stopped.
    expect(processesRunning(tmp).map((p) => p.cmdline)).toEqual([]);
    return stdout;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
};

describe('examples', () => {
  it('quickstart renders with the file backend', async () => {
    const r = await runCli(['--onetime', '--confdir', join(REPO, 'examples/quickstart')]);
    expect(r.code, r.stderr).toBe(0);
    const out = readFileSync(join(REPO, 'examples/quickstart/out/app.conf'), 'utf8');
    expect(out).toContain('server 127.0.0.1:9001;');
    expect(out).toContain('server 127.0.0.1:9102 max_fails=3 fail_timeout=5s;');
  });

  it('quickstart/run.sh prints the rendered file and nothing else', async () => {
    const stdout = await runExample('quickstart/run.sh');
    expect(stdout.startsWith("# Rendered by switchyard from app.example.com's keys. Do not edit.\nupstream app_live {\n    server 127.0.0.1:9001;")).toBe(true);
    expect(stdout).toContain('    server 127.0.0.1:9101 max_fails=3 fail_timeout=5s;\n    server 127.0.0.1:9102 max_fails=3 fail_timeout=5s;');
    expect(stdout.trimEnd().endsWith('}')).toBe(true);
  }, 60_000);

  it('etcd-nginx-bluegreen/run.sh switches nginx from blue to green and refuses a bad value', async () => {
    const stdout = await runExample('etcd-nginx-bluegreen/run.sh');
    // nginx starts without a working upstream: only switchyard's render makes it answer blue.
    expect(stdout).toMatch(/nginx answers before switchyard: HTTP 502[\s\S]*switchyard --onetime\n[\s\S]*nginx answers: blue 1\n/);
    expect(stdout).toMatch(/switching live to green[\s\S]*nginx answers: green 1\n/);
    // Each color has a server line: live at weight 100, the other down.
    expect(stdout).toMatch(/nginx answers: blue 1\n {4}server 127\.0\.0\.1:\d+ weight=100;\n {4}server 127\.0\.0\.1:\d+ down;\n/);
    expect(stdout).toMatch(/render failed.*bluegreen: key "\/blue\/addr".* is not host:port[\s\S]*nginx answers: green 1\n\n==> done/);
    expect(stdout).toContain('examples/blue-green/nginx/reload.sh');
  }, 180_000);

  it('etcd-haproxy/run.sh follows servers added and removed in etcd', async () => {
    const stdout = await runExample('etcd-haproxy/run.sh');
    expect(stdout).toMatch(/ {4}server b 127\.0\.0\.1:\d+ check inter 1s/);
    expect(stdout).not.toMatch(/ {4}server a /);
    expect(stdout).toMatch(/HAProxy answers: green 1\n\n==> done/);
    expect(stdout).toContain('examples/blue-green/haproxy/reload.sh');
  }, 180_000);

  it.each(['nginx', 'haproxy'])('blue-green/%s/run.sh switches to green and back through the proxy', async (proxy) => {
    const stdout = await runExample(`blue-green/${proxy}/run.sh`);
    expect(stdout).toContain(`examples/blue-green/${proxy}/reload.sh`);
    expect(stdout).toMatch(new RegExp(`${proxy} answers: blue 1\\n[\\s\\S]*switch ok: green is live\\n${proxy} answers: green 1\\n[\\s\\S]*switch ok: blue is live\\n${proxy} answers: blue 1\\n`));
    // Each color's server line with its weight: without weight keys, then 90/10, then without again.
    const [before = '', weighted = ''] = stdout.split('==> weights, as a canary sets them');
    const lines = (w: { blue: string; green: string }) =>
      proxy === 'nginx'
        ? new RegExp(`\\n {4}server 127\\.0\\.0\\.1:\\d+ ${w.blue};\\n {4}server 127\\.0\\.0\\.1:\\d+ ${w.green};\\n`)
        : new RegExp(`\\n {4}server blue 127\\.0\\.0\\.1:\\d+ ${w.blue}\\n {4}server green 127\\.0\\.0\\.1:\\d+ ${w.green}\\n`);
    const [full, out, ninety, ten] = proxy === 'nginx' ? ['weight=100', 'down', 'weight=90', 'weight=10'] : ['weight 100', 'weight 0', 'weight 90', 'weight 10'];
    expect(before).toMatch(lines({ blue: full, green: out }));
    const [during = '', after = ''] = weighted.split('deleted /web/weight/');
    expect(during).toMatch(lines({ blue: ninety, green: ten }));
    expect(after).toMatch(lines({ blue: full, green: out }));
  }, 180_000);

  it('consul-haproxy-catalog/run.sh follows the catalog, the key and a failing health check', async () => {
    const stdout = await runExample('consul-haproxy-catalog/run.sh');
    // Instances are sorted by node, address and port: with free ports either may come first.
    const [rendered = '', following = '', afterStop = '', afterBack = ''] = stdout.split(/==> switchyard following.*\n|==> B stops.*\n|==> B is back.*\n/);
    expect(rendered).toMatch(/^ {4}server web-a 127\.0\.0\.1:\d+ check inter 2s$/m);
    expect(rendered).toMatch(/^ {4}server web-b 127\.0\.0\.1:\d+ check inter 2s backup$/m);
    expect(following).toMatch(/^HAProxy answers: blue A\nconsul kv put web\/live B\nHAProxy answers: green B\n/);
    expect(afterStop).toMatch(/^ {4}server web-a 127\.0\.0\.1:\d+ check inter 2s\n\n$/);
    expect(afterBack).toMatch(/^ {4}server web-a 127\.0\.0\.1:\d+ check inter 2s$/m);
    expect(afterBack).toMatch(/^ {4}server web-b 127\.0\.0\.1:\d+ check inter 2s$/m);
    expect(afterBack).toMatch(/\n\n==> done\n$/);
  }, 180_000);

  it('consul-nginx-bluegreen/run.sh switches nginx from blue to green and refuses a bad value', async () => {
    const stdout = await runExample('consul-nginx-bluegreen/run.sh');
    expect(stdout).toMatch(/switching live to green in Consul\nnginx answers: blue 1\nconsul kv put app\/live green\nnginx answers: green 2\n/);
    expect(stdout).toMatch(/render failed.*bluegreen: key "\/green\/addr".* is not host:port[\s\S]*nginx answers: green 2\n\n==> done/);
    expect(stdout).toMatch(/ {4}server 127\.0\.0\.1:\d+ weight=100;\n {4}server 127\.0\.0\.1:\d+ down;\n/);
  }, 180_000);
});
