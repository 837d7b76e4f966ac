// The single executable (`npm run package` → dist/switchyard-linux-x64) on a
// host without Node.js: copied into the Debian container, which gets no node
// binary for this test, it prints its version (compiling its embedded bundle
// with the embedded code cache, checked on the host), renders the quickstart with
// the file backend exactly as bin/switchyard does on this host, and runs as
// switchyard.service's ExecStart under systemd, following a change of its data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, runCli } from '../harness/cli.js';
import { createLoadRecorder } from '../harness/loads.js';
import { bootContainer, repoRoot, type Container } from '../harness/nspawn.js';

const EXECUTABLE = join(repoRoot, `dist/switchyard-${process.platform}-${process.arch}`);
const BUNDLE = join(repoRoot, 'dist/bundle/switchyard.js');
const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };

// The quickstart as a systemd install: /etc/switchyard, the dest under /etc/nginx
// (switchyard.service may write there; the rest of /etc is read-only to it).
const INSTALL = `
set -e
mkdir -p /etc/switchyard /etc/nginx/conf.d
cp -r /opt/switchyard/examples/quickstart/conf.d /opt/switchyard/examples/quickstart/templates /etc/switchyard/
cp /opt/switchyard/examples/quickstart/data.yaml /etc/nginx/switchyard-data.yaml
printf 'backend = "file"\\nfiles = ["/etc/nginx/switchyard-data.yaml"]\\n' > /etc/switchyard/switchyard.toml
sed -i 's|^dest .*|dest = "/etc/nginx/conf.d/app.conf"|' /etc/switchyard/conf.d/app.toml
cp /opt/switchyard/systemd/switchyard.service /etc/systemd/system/
systemctl daemon-reload
`;

describe('the single executable in a Debian container without Node.js', () => {
  let box: Container;

  beforeAll(async () => {
    if (!existsSync(EXECUTABLE)) throw new Error(`${EXECUTABLE} is missing: run \`npm run package\` first (\`npm run test:system\` does)`);
    if (statSync(EXECUTABLE).mtimeMs < statSync(BUNDLE).mtimeMs) {
      throw new Error(`${EXECUTABLE} is older than ${BUNDLE}: run \`npm run package\``);
    }
    box = await bootContainer({ hostNode: false });
    await box.sh(`cp /opt/switchyard/dist/${EXECUTABLE.split('/').pop()} /usr/local/bin/switchyard`);
  });

  afterAll(async () => {
    await box?.stop();
  });

  it('has no node to lean on', async () => {
    const node = await box.exec(['sh', '-c', 'command -v node nodejs; ls /usr/bin/node']);
    expect(node.exitCode).not.toBe(0);
    expect(node.stdout.trim()).toBe('');
  });

  it('compiles its embedded bundle with the embedded code cache, which V8 accepts', async () => {
    const work = mkdtempSync(join(tmpdir(), 'switchyard-sea-loads-'));
    try {
      const recording = createLoadRecorder(work).recording();
      const res = await runCli(['--version'], { executable: EXECUTABLE, env: recording.env });
      expect(res.code, res.stderr).toBe(0);
      expect(recording.read().bundle).toEqual({ cached: true, rejected: false });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('prints its version', async () => {
    expect((await box.run(['switchyard', '--version'])).trim()).toBe(version);
  });

  it('renders the quickstart with the file backend, byte for byte as bin/switchyard does', async () => {
    const work = mkdtempSync(join(tmpdir(), 'switchyard-sea-'));
    try {
      const confdir = join(work, 'quickstart');
      await box.sh('cp -r /opt/switchyard/examples/quickstart /tmp/quickstart && rm -rf /tmp/quickstart/out');
      const inside = await box.exec(['switchyard', '--onetime', '--confdir', '/tmp/quickstart']);
      expect(inside.exitCode, inside.stderr).toBe(0);
      expect(inside.stderr).toMatch(/updated resource=app\.toml/);

      cpSync(join(repoRoot, 'examples/quickstart'), confdir, { recursive: true, filter: (src) => !src.endsWith('/out') });
      const host = await runCli(['--onetime', '--confdir', confdir]);
      expect(host.code, host.stderr).toBe(0);
      const expected = readFileSync(join(confdir, 'out/app.conf'), 'utf8');
      expect(expected).toContain('server_name');
      expect(await box.run(['cat', '/tmp/quickstart/out/app.conf'])).toBe(expected);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('runs as switchyard.service under systemd and follows a change of its data', async () => {
    await box.sh(INSTALL);
    const start = await box.exec(['systemctl', 'start', 'switchyard'], { timeoutMs: 120_000 });
    if (start.exitCode !== 0) throw new Error(`systemctl start switchyard failed:\n${start.stderr}\n${await box.journal('switchyard.service', 60)}`);
    expect((await box.run(['systemctl', 'is-active', 'switchyard'])).trim()).toBe('active');
    expect((await box.run(['systemctl', 'show', '-p', 'ExecMainPID', '--value', 'switchyard'])).trim()).not.toBe('0');
    expect(await box.run(['cat', '/etc/nginx/conf.d/app.conf'])).toMatch(/server_name/);

    expect(await box.run(['cat', '/etc/nginx/conf.d/app.conf'])).toContain('server 127.0.0.1:9001;');
    // Rewritten in place (sed -i would replace the file by a new one).
    await box.sh("sed 's/live: blue/live: green/' /etc/nginx/switchyard-data.yaml > /tmp/data && cat /tmp/data > /etc/nginx/switchyard-data.yaml");
    await eventually(
      async () => (await box.exec(['cat', '/etc/nginx/conf.d/app.conf'])).stdout.includes('server 127.0.0.1:9002;'),
      'the dest to follow live: green',
      30_000,
    );
    await box.run(['systemctl', 'stop', 'switchyard']);
    const journal = await box.journal('switchyard.service', 200);
    expect(journal).toMatch(/ready; watching for changes/);
    expect((await box.exec(['systemctl', 'is-failed', 'switchyard'])).stdout.trim()).not.toBe('failed');
  });
});
