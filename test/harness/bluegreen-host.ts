// A host for blue/green tests where PID 1 is not systemd: systemctl is
// test/fixtures/process-systemctl, which runs examples/blue-green/app/server.js
// as blue@PORT.service / green@PORT.service would. stopAll() stops every
// app process it started.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './cli.js';

export const PROCESS_SYSTEMCTL = join(REPO, 'test/fixtures/process-systemctl');

export interface UnitHost {
  /** State dir: <unit>.pid, <unit>.log, calls; <color>.unhealthy makes that color fail /health. */
  readonly dir: string;
  /** Environment that points switchyard bluegreen at this host's systemctl. */
  readonly env: Record<string, string>;
  /** Runs the stand-in systemctl; resolves with its stdout. */
  systemctl(verb: string, unit: string): Promise<string>;
  stopAll(): Promise<void>;
}

/** blue@9001.service for color blue at 127.0.0.1:9001. */
export const unitOf = (color: string, addr: string): string => `${color}@${addr.split(':').pop()}.service`;

export const createUnitHost = (): UnitHost => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-units-'));
  const env = { SWITCHYARD_SYSTEMCTL: PROCESS_SYSTEMCTL, FAKE_SYSTEMCTL_DIR: dir };
  const systemctl = (verb: string, unit: string): Promise<string> =>
    new Promise((resolve) => {
      execFile(PROCESS_SYSTEMCTL, [verb, unit], { env: { ...process.env, ...env } }, (_err, stdout) => resolve(stdout.trim()));
    });
  return {
    dir,
    env,
    systemctl,
    stopAll: async () => {
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.service.pid'))) await systemctl('stop', file.replace(/\.pid$/, ''));
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
