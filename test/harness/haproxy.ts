// A real HAProxy in master-worker mode for integration tests:
// `haproxy -W -f main.cfg -f fragment.cfg -p pidfile`, reloaded with SIGUSR2
// to the master. The fragment (chosen by the test) defines `backend app`.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { requireProgram, startMaster, type ProxyServer } from './proxy-process.js';

export const HAPROXY = '/usr/sbin/haproxy';

export interface StartHaproxyOptions {
  /** Absolute path of the fragment loaded after main.cfg; it must define `backend app`. */
  fragmentPath: string;
  fragment: string;
  /** What GET / answers once HAProxy is up. */
  readyBody: string;
  /** Lines added to the global section, e.g. a `stats socket`. */
  global?: string;
}

export const backendFragment = (addr: string): string => `backend app\n    server s1 ${addr}\n`;

export const startHaproxy = async (options: StartHaproxyOptions): Promise<ProxyServer> => {
  requireProgram(HAPROXY, 'haproxy');
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-haproxy-'));
  const port = await freePort();
  const confPath = join(dir, 'main.cfg');
  writeFileSync(
    confPath,
    `global
    log stderr format short local0 warning
${options.global ?? ''}
defaults
    mode http
    log global
    timeout connect 2s
    timeout client 10s
    timeout server 10s
frontend fe
    bind 127.0.0.1:${port}
    default_backend app
`,
  );
  writeFileSync(options.fragmentPath, options.fragment);
  return startMaster({
    program: HAPROXY,
    args: ['-W', '-f', confPath, '-f', options.fragmentPath, '-p', join(dir, 'haproxy.pid')],
    port,
    confPath,
    dir,
    logFile: join(dir, 'stderr.log'),
    reloadSignal: 'SIGUSR2',
    stopSignal: 'SIGTERM',
    readyBody: options.readyBody,
  });
};
