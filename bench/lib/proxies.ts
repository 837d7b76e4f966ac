// nginx and HAProxy set up as the blue/green example ships them (the example
// fragment templates; HAProxy's main file is the example's haproxy.cfg with
// its runtime paths moved into a temporary directory), and a switch that
// renders the fragment, swaps it in atomically and signals the master, the
// way switchyard's reload_cmd does.
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../test/harness/ports.js';
import { requireProgram, startMaster, type ProxyServer } from '../../test/harness/proxy-process.js';
import type { Backend, Color } from './backends.js';
import { confirmedReload } from './haproxy-master.js';
import { exampleDir } from './paths.js';
import { renderExample } from './render.js';

export type ProxyKind = 'nginx' | 'haproxy';

export interface BenchProxy {
  readonly kind: ProxyKind;
  readonly port: number;
  readonly server: ProxyServer;
  /** Renders the fragment for `color`, swaps it in and reloads; resolves with the reload signals that were lost. */
  switchTo(color: Color): Promise<number>;
  /** The end of the proxy's own output, for failure messages. */
  logTail(): string;
  stop(): Promise<void>;
}

const isRoot = process.getuid?.() === 0;

const TEMP_PATHS = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'];

// A Debian-like nginx.conf whose every path is in `dir`; http {} loads the fragment.
const nginxMain = (dir: string, fragment: string): string =>
  [
    isRoot ? 'user root root;' : '',
    'daemon off;',
    'worker_processes auto;',
    `pid ${dir}/nginx.pid;`,
    'events { worker_connections 4096; }',
    'http {',
    '    access_log off;',
    ...TEMP_PATHS.map((name) => `    ${name}_temp_path ${dir}/${name};`),
    `    include ${fragment};`,
    '}',
    '',
  ].join('\n');

// The example's main file, with its sockets in `dir`; chroot and user only as root.
const haproxyMain = (dir: string): string =>
  readFileSync(join(exampleDir, 'haproxy', 'haproxy.cfg'), 'utf8')
    .replaceAll('/run/haproxy/', `${dir}/`)
    .split('\n')
    .filter((line) => isRoot || !/^\s*(chroot|user|group)\s/.test(line))
    .join('\n');

const SPECS = {
  nginx: { program: '/usr/sbin/nginx', pkg: 'nginx', template: 'nginx/web.conf.hbs', fragment: 'web.conf', reload: 'SIGHUP', stop: 'SIGQUIT' },
  haproxy: { program: '/usr/sbin/haproxy', pkg: 'haproxy', template: 'haproxy/web.cfg.hbs', fragment: 'web.cfg', reload: 'SIGUSR2', stop: 'SIGUSR1' },
} as const;

export const startBenchProxy = async (kind: ProxyKind, apps: Record<Color, Backend>, initial: Color): Promise<BenchProxy> => {
  const spec = SPECS[kind];
  requireProgram(spec.program, spec.pkg);
  const dir = mkdtempSync(join(tmpdir(), `switchyard-bench-${kind}-`));
  const port = await freePort();
  const fragment = join(dir, spec.fragment);
  const keys = { '/blue/addr': apps.blue.addr, '/green/addr': apps.green.addr };
  const render = (color: Color): void => {
    const staged = join(dir, `.${spec.fragment}.staged`);
    writeFileSync(staged, renderExample(join(exampleDir, spec.template), { ...keys, '/live': color }, { WEB_LISTEN: `127.0.0.1:${port}` }));
    renameSync(staged, fragment);
  };
  render(initial);
  const masterSocket = join(dir, 'master.sock');
  const confPath = join(dir, kind === 'nginx' ? 'nginx.conf' : 'haproxy.cfg');
  writeFileSync(confPath, kind === 'nginx' ? nginxMain(dir, fragment) : haproxyMain(dir));
  const args =
    kind === 'nginx'
      ? ['-p', dir, '-c', confPath, '-e', join(dir, 'error.log')]
      : ['-W', '-S', masterSocket, '-f', confPath, '-f', fragment, '-p', join(dir, 'haproxy.pid')];
  let server: ProxyServer;
  try {
    server = await startMaster({
      program: spec.program, args, port, confPath, dir, logFile: join(dir, 'stderr.log'),
      reloadSignal: spec.reload, stopSignal: spec.stop, readyBody: apps[initial].body,
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    kind,
    port,
    server,
    switchTo: async (color) => {
      render(color);
      if (kind === 'haproxy') return confirmedReload(masterSocket, server.pid);
      // nginx's master notes a SIGHUP that arrives mid-reload and reloads again.
      process.kill(server.pid, spec.reload);
      return 0;
    },
    logTail: () => {
      const log = join(dir, 'stderr.log');
      return existsSync(log) ? readFileSync(log, 'utf8').slice(-3000) : '';
    },
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
