// nginx and HAProxy laid out as the blue/green example installs them, with
// every path in a temporary directory: nginx's http {} includes the fragment;
// HAProxy loads the example's haproxy.cfg (runtime paths moved) and then the
// conf.d directory that holds the fragment, in master-worker mode with a
// master CLI socket. A layout also says how a user would reload it.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../test/harness/ports.js';
import { requireProgram, startMaster, type ProxyServer } from '../../test/harness/proxy-process.js';
import { exampleDir } from './paths.js';

export type ProxyKind = 'nginx' | 'haproxy';

export interface ProxyLayout {
  readonly kind: ProxyKind;
  readonly program: string;
  readonly port: number;
  /** `127.0.0.1:<port>`, for the template's WEB_LISTEN. */
  readonly listen: string;
  /** Temporary directory holding everything; removed by stopProxy(). */
  readonly dir: string;
  /** nginx.conf, or HAProxy's main haproxy.cfg. */
  readonly confPath: string;
  /** HAProxy: the conf.d directory loaded after confPath. */
  readonly confDir?: string;
  /** The rendered fragment: switchyard's dest. */
  readonly fragmentPath: string;
  /** HAProxy: the master CLI socket (-S). */
  readonly masterSocket?: string;
  /** What a user puts in reload_cmd for this foreground master. */
  readonly reloadCmd: string;
  readonly args: string[];
  readonly reloadSignal: NodeJS.Signals;
  readonly stopSignal: NodeJS.Signals;
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
    `error_log ${dir}/error.log;`,
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

/** Writes the main configuration under a new directory in `root`; the fragment is left to the caller. */
export const prepareProxy = async (kind: ProxyKind, root: string): Promise<ProxyLayout> => {
  const port = await freePort();
  const dir = mkdtempSync(join(root, `${kind}-`));
  const common = { kind, port, listen: `127.0.0.1:${port}`, dir };
  if (kind === 'nginx') {
    const program = '/usr/sbin/nginx';
    requireProgram(program, 'nginx');
    const confPath = join(dir, 'nginx.conf');
    const fragmentPath = join(dir, 'web.conf');
    writeFileSync(confPath, nginxMain(dir, fragmentPath));
    const base = ['-p', dir, '-c', confPath];
    return {
      ...common, program, confPath, fragmentPath,
      // `nginx -s reload` signals the master named in the pid file and returns.
      reloadCmd: [program, ...base, '-s', 'reload'].join(' '),
      args: [...base, '-e', join(dir, 'error.log')],
      reloadSignal: 'SIGHUP', stopSignal: 'SIGQUIT',
    };
  }
  const program = '/usr/sbin/haproxy';
  requireProgram(program, 'haproxy');
  const confPath = join(dir, 'haproxy.cfg');
  const confDir = join(dir, 'conf.d');
  const masterSocket = join(dir, 'master.sock');
  mkdirSync(confDir);
  writeFileSync(confPath, haproxyMain(dir));
  return {
    ...common, program, confPath, confDir, masterSocket,
    fragmentPath: join(confDir, 'web.cfg'),
    reloadCmd: `${join(exampleDir, 'haproxy', 'reload.sh')} ${masterSocket}`,
    args: ['-W', '-S', masterSocket, '-f', confPath, '-f', confDir, '-p', join(dir, 'haproxy.pid')],
    reloadSignal: 'SIGUSR2', stopSignal: 'SIGTERM',
  };
};

/** Starts the master in the foreground once the fragment exists; ready when GET / answers `readyBody`. */
export const startProxy = (layout: ProxyLayout, readyBody: string): Promise<ProxyServer> =>
  startMaster({
    program: layout.program, args: layout.args, port: layout.port, confPath: layout.confPath, dir: layout.dir,
    logFile: join(layout.dir, 'stderr.log'), reloadSignal: layout.reloadSignal, stopSignal: layout.stopSignal, readyBody,
  });

/** The end of the proxy's own output, for failure messages. */
export const proxyLogTail = (layout: ProxyLayout): string => {
  const log = join(layout.dir, 'stderr.log');
  return existsSync(log) ? readFileSync(log, 'utf8').slice(-3000) : '';
};

/** Removes the layout's directory (startMaster's stop() does it for a started proxy). */
export const discardLayout = (layout: ProxyLayout): void => rmSync(layout.dir, { recursive: true, force: true });
