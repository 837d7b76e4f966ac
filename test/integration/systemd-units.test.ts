// The shipped units must pass systemd's own checker with no message at all.
// PID 1 here is not systemd: `systemd-analyze verify` still loads the units
// with a private manager, checks every directive, and checks that each Exec*
// program exists. The units are copied to a temp dir (verify resolves
// `blue@9001.service` from `blue@.service` next to the file it was given),
// and install paths that only exist on a real host are pointed at stubs.
import { execFile } from 'node:child_process';
import { access, chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SYSTEMD_ANALYZE = '/usr/bin/systemd-analyze';
const UNIT_DIR = join(import.meta.dirname, '../../systemd');
// Every shipped unit; a template (x@.service) is verified as an instance on a port.
const UNITS = readdirSync(UNIT_DIR).filter((f) => f.endsWith('.service')).sort();
const INSTANCES = UNITS.map((u, i) => u.replace(/@\.service$/, `@${9001 + i}.service`));
/** Install paths that a real host has and this machine does not. */
const STUBBED = ['/usr/local/bin/switchyard'];

interface Verify {
  code: number;
  output: string;
}

const verify = (cwd: string, units: string[]): Promise<Verify> =>
  new Promise((resolve) => {
    // SYSTEMD_LOG_LEVEL=notice: warnings and errors are printed, debug chatter is not.
    const env = { ...process.env, SYSTEMD_LOG_LEVEL: 'notice', SYSTEMD_PAGER: '', SYSTEMD_COLORS: '0' };
    execFile(SYSTEMD_ANALYZE, ['verify', '--man=no', ...units.map((u) => `./${u}`)], { cwd, env }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, output: (stdout + stderr).trim() });
    });
  });

let dir = '';

const stubPath = (path: string): string => join(dir, 'stub', path.replaceAll('/', '_'));

const installCopy = async (unit: string): Promise<void> => {
  let text = await readFile(join(UNIT_DIR, unit), 'utf8');
  for (const path of STUBBED) text = text.split(path).join(stubPath(path));
  await writeFile(join(dir, unit), text);
};

beforeAll(async () => {
  await access(SYSTEMD_ANALYZE).catch(() => {
    throw new Error(`${SYSTEMD_ANALYZE} is missing: install Debian's systemd package`);
  });
  dir = await mkdtemp(join(tmpdir(), 'switchyard-units-'));
  await mkdir(join(dir, 'stub'));
  for (const path of STUBBED) {
    const stub = stubPath(path);
    await writeFile(stub, '#!/bin/sh\nexit 0\n');
    await chmod(stub, 0o755);
  }
  for (const unit of UNITS) await installCopy(unit);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('systemd units', () => {
  it('pass systemd-analyze verify without any message', async () => {
    expect(UNITS).toEqual(expect.arrayContaining(['switchyard.service', 'blue@.service', 'green@.service']));
    const result = await verify(dir, INSTANCES);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('verify reports a broken unit here (the check above can fail)', async () => {
    const text = await readFile(join(UNIT_DIR, 'blue@.service'), 'utf8');
    await writeFile(join(dir, 'broken@.service'), text.replace('[Service]', '[Service]\nRestartt=always').replace('ExecStart=/usr/bin/node', 'ExecStart=/nonexistent/node'));
    const result = await verify(dir, ['broken@9003.service']);
    expect(result.output).toContain("Unknown key 'Restartt'");
    expect(result.output).toContain('/nonexistent/node');
    expect(result.code).not.toBe(0);
  });

  it('switchyard.service is a notify service with a watchdog and a HUP reload', async () => {
    const text = await readFile(join(UNIT_DIR, 'switchyard.service'), 'utf8');
    for (const line of [
      'Type=notify',
      'NotifyAccess=all',
      'ExecStart=/usr/local/bin/switchyard --confdir /etc/switchyard --watch',
      'ExecReload=/bin/kill -HUP $MAINPID',
      'Restart=on-failure',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
    expect(text).toMatch(/^WatchdogSec=\d+s$/m);
    expect(text).toMatch(/^ReadWritePaths=.*-\/etc\/nginx .*-\/etc\/haproxy/m);
    expect(text).not.toMatch(/^MemoryDenyWriteExecute=yes/m);
  });

  it.each(['blue', 'green'])('%s@.service passes its port and color to the example app', async (color) => {
    const text = await readFile(join(UNIT_DIR, `${color}@.service`), 'utf8');
    expect(text).toMatch(new RegExp(`^Environment=PORT=%i COLOR=${color} `, 'm'));
    expect(text).toMatch(/^ExecStart=\/usr\/bin\/node \/opt\/switchyard\/examples\/blue-green\/app\/server\.js$/m);
    await access(join(import.meta.dirname, '../../examples/blue-green/app/server.js'));
  });
});
