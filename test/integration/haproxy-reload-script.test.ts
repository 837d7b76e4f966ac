// examples/blue-green/haproxy/reload.sh against a real HAProxy in
// master-worker mode with a master CLI socket: it returns once a new worker
// serves the new file, confirms every one of a quick series of reloads,
// fails when HAProxy refuses the file (so switchyard rolls back), and fails
// fast with a clear message when the master does not answer.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAPROXY, backendFragment } from '../harness/haproxy.js';
import { startHttpApp, type HttpApp } from '../harness/http-app.js';
import { freePort } from '../harness/ports.js';
import { requireProgram, startMaster, type ProxyServer } from '../harness/proxy-process.js';

const SCRIPT = join(import.meta.dirname, '../../examples/blue-green/haproxy/reload.sh');

interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

const reload = (socket: string, timeoutS = 15): Promise<ScriptResult> =>
  new Promise((resolve) => {
    execFile(SCRIPT, [socket, String(timeoutS)], { timeout: (timeoutS + 10) * 1000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });

let apps: HttpApp[];
let haproxy: ProxyServer;
let dir: string;
let socket: string;
let fragment: string;

beforeAll(async () => {
  requireProgram(HAPROXY, 'haproxy');
  requireProgram('/usr/bin/perl', 'perl-base');
  apps = await Promise.all([startHttpApp('a'), startHttpApp('b')]);
  dir = mkdtempSync(join(tmpdir(), 'switchyard-reload-sh-'));
  socket = join(dir, 'master.sock');
  fragment = join(dir, 'backend.cfg');
  const port = await freePort();
  const main = join(dir, 'main.cfg');
  writeFileSync(
    main,
    `global\n    stats socket ${dir}/admin.sock mode 600 level admin expose-fd listeners\ndefaults\n    mode http\n    timeout connect 2s\n    timeout client 10s\n    timeout server 10s\nfrontend fe\n    bind 127.0.0.1:${port}\n    default_backend app\n`,
  );
  writeFileSync(fragment, backendFragment(apps[0]!.addr));
  haproxy = await startMaster({
    program: HAPROXY,
    args: ['-W', '-S', socket, '-f', main, '-f', fragment],
    port,
    confPath: main,
    dir,
    logFile: join(dir, 'stderr.log'),
    reloadSignal: 'SIGUSR2',
    stopSignal: 'SIGTERM',
    readyBody: 'a',
  });
});

afterAll(async () => {
  await haproxy?.stop();
  await Promise.all((apps ?? []).map((a) => a.stop()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('examples/blue-green/haproxy/reload.sh', () => {
  it('returns once a new worker serves the new file', async () => {
    writeFileSync(fragment, backendFragment(apps[1]!.addr));
    const r = await reload(socket);
    expect(r, r.stderr).toMatchObject({ code: 0 });
    expect(r.stdout).toMatch(/^HAProxy reloaded: worker \d+ \(reload \d+\)$/m);
    expect((await haproxy.fetch()).body).toBe('b');
  });

  it('confirms each of a quick series of reloads, one new worker each', async () => {
    const workers = new Set<string>();
    for (let i = 0; i < 6; i++) {
      writeFileSync(fragment, backendFragment(apps[i % 2]!.addr));
      const r = await reload(socket);
      expect(r, r.stderr).toMatchObject({ code: 0 });
      workers.add(/worker (\d+)/.exec(r.stdout)?.[1] ?? '');
      // Each reload served its own file: nothing was lost on the way.
      expect((await haproxy.fetch()).body).toBe(i % 2 === 0 ? 'a' : 'b');
    }
    expect(workers.size).toBe(6);
  });

  it('fails when HAProxy refuses the file, and the old worker keeps serving', async () => {
    writeFileSync(fragment, `${backendFragment(apps[0]!.addr)}    no_such_directive 1\n`);
    const r = await reload(socket);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/HAProxy refused the new configuration/);
    expect((await haproxy.fetch()).body).toBe('b');
    // A good file afterwards reloads normally (what switchyard's rollback does).
    writeFileSync(fragment, backendFragment(apps[1]!.addr));
    expect((await reload(socket)).code).toBe(0);
  });

  it('fails with a clear message when no master answers on the socket', async () => {
    const r = await reload(join(dir, 'missing.sock'), 1);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/does not answer on .*missing\.sock/);
  });
});
