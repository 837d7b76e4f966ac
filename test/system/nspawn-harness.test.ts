import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { bootContainer, type Container } from '../harness/nspawn.js';

describe('nspawn harness', () => {
  let box: Container;
  beforeAll(async () => {
    box = await bootContainer();
  });
  afterAll(async () => {
    await box?.stop();
  });

  it('boots systemd as PID 1 and reaches running', async () => {
    expect((await box.run(['cat', '/proc/1/comm'])).trim()).toBe('systemd');
    expect((await box.run(['systemctl', 'is-system-running'])).trim()).toBe('running');
  });

  it('has the host node and a read-only repository', async () => {
    expect((await box.run(['node', '--version'])).trim()).toBe(process.version);
    expect((await box.run(['cat', '/opt/switchyard/package.json']))).toContain('"name": "switchyard"');
    const write = await box.exec(['touch', '/opt/switchyard/.write-probe']);
    expect(write.exitCode).not.toBe(0);
    expect(write.stderr).toMatch(/Read-only/);
  });

  it('has only loopback networking', async () => {
    const links = await box.run(['ip', '-o', 'link']);
    expect(links.trim().split('\n')).toHaveLength(1);
    expect(links).toContain('lo:');
  });

  it('runs and stops units through real systemctl', async () => {
    await box.run(['systemd-run', '--unit=probe', '--', '/bin/sleep', '300']);
    expect((await box.exec(['systemctl', 'is-active', 'probe.service'])).stdout.trim()).toBe('active');
    await box.run(['systemctl', 'stop', 'probe.service']);
    expect((await box.exec(['systemctl', 'is-active', 'probe.service'])).stdout.trim()).not.toBe('active');
  });

  it('leaves no process behind after stop', async () => {
    const { leaderPid, nspawnPid } = box;
    await box.stop();
    expect(existsSync(`/proc/${leaderPid}`)).toBe(false);
    expect(existsSync(`/proc/${nspawnPid}`)).toBe(false);
  });
});
