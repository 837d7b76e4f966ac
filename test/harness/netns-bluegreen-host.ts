// One blue/green host of a fleet inside a network namespace: its own blue
// and green apps (examples/blue-green/app/server.js on the namespace's
// loopback), its own nginx in front of them, and its own switchyard watch
// daemon with --report that renders the nginx example template and reloads
// that nginx. Everything runs inside the namespace, so a cut link leaves the
// host serving on its own, as a real host would.
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, startWatcher, type Watcher } from './cli.js';
import { makeConfdir } from './confdir.js';
import type { NetnsHost } from './netns-hosts.js';
import { NGINX, nginxConf } from './nginx.js';
import { haltProcess, spawnLogged } from './server-process.js';
import { waitFor } from './wait.js';

/** Inside every namespace: the same addresses, as the same units on every machine would have. */
export const BLUE_ADDR = '127.0.0.1:9001';
export const GREEN_ADDR = '127.0.0.1:9002';
const NGINX_PORT = 8080;
const APP = join(REPO, 'examples/blue-green/app/server.js');
const EXAMPLE = join(REPO, 'examples/blue-green/nginx');

export interface BlueGreenHostOptions {
  /** Resource prefix: the template reads <prefix>/live, /blue/addr, /green/addr. */
  prefix: string;
  /** Every etcd endpoint the daemon gets (--node each). */
  etcd: readonly string[];
  reportPrefix: string;
  reportTtl: string;
}

export interface NetnsBlueGreenHost {
  readonly net: NetnsHost;
  readonly daemon: Watcher;
  /** What this host's nginx answers on /, asked from inside the namespace ("blue 1", or the error). */
  serves(): Promise<string>;
  /** Stops the daemon, nginx and the apps by PID and removes their files. */
  stop(): Promise<void>;
}

export const startBlueGreenHost = async (net: NetnsHost, options: BlueGreenHostOptions): Promise<NetnsBlueGreenHost> => {
  const dir = mkdtempSync(join(tmpdir(), `switchyard-${net.name}-`));
  const conf = makeConfdir();
  const children: ChildProcess[] = [];
  let daemon: Watcher | undefined;
  const stop = async (): Promise<void> => {
    await daemon?.stop();
    await Promise.all(children.map((child) => haltProcess(child)));
    for (const d of [dir, conf.dir]) rmSync(d, { recursive: true, force: true });
  };
  const body = async (port: number, path = '/'): Promise<string> => {
    const res = await net.get(`http://127.0.0.1:${port}${path}`);
    return res.status === 200 ? res.body.trim() : `${res.status} ${res.body.trim()}`;
  };

  try {
    const apps = [['blue', BLUE_ADDR], ['green', GREEN_ADDR]].map(([color, addr]) => ({ color: color!, port: Number(addr!.split(':')[1]) }));
    for (const { color, port } of apps) {
      const [cmd, ...args] = net.wrap([process.execPath, APP]);
      children.push(spawnLogged(cmd!, args, join(dir, `${color}.log`), { PORT: String(port), COLOR: color }));
    }
    for (const { color, port } of apps) await waitFor(`${net.name}'s ${color} app`, async () => (await body(port, '/health')) === 'ok', 20_000, 100);

    // nginx starts on a placeholder; the daemon's first round renders the real file and reloads.
    const dest = join(dir, 'web.conf');
    const confPath = join(dir, 'nginx.conf');
    writeFileSync(dest, `server {\n    listen ${NGINX_PORT};\n    location / { return 503 "not rendered yet"; }\n}\n`);
    writeFileSync(confPath, nginxConf(dir, `    include ${dest};\n`));
    const [cmd, ...args] = net.wrap([NGINX, '-p', dir, '-c', confPath, '-e', join(dir, 'error.log')]);
    children.push(spawnLogged(cmd!, args, join(dir, 'nginx.log')));
    await waitFor(`${net.name}'s nginx`, async () => (await body(NGINX_PORT)).startsWith('503 not rendered yet'), 20_000, 100);

    copyFileSync(join(EXAMPLE, 'web.conf.hbs'), join(conf.dir, 'templates', 'web.conf.hbs'));
    writeFileSync(
      join(conf.dir, 'conf.d', 'web.toml'),
      [
        '[template]',
        'src = "web.conf.hbs"',
        `dest = ${JSON.stringify(dest)}`,
        `prefix = ${JSON.stringify(options.prefix)}`,
        'keys = ["/live", "/blue", "/green"]',
        `reload_cmd = ${JSON.stringify(`${join(EXAMPLE, 'reload.sh')} ${join(dir, 'nginx.pid')} 10`)}`,
      ].join('\n') + '\n',
    );
    const nodes = options.etcd.flatMap((e) => ['--node', e]);
    daemon = startWatcher(
      ['--confdir', conf.dir, '--backend', 'etcd', ...nodes, '--report', '--host-id', net.name, '--report-prefix', options.reportPrefix, '--report-ttl', options.reportTtl],
      { under: net.wrap([]), env: { WEB_LISTEN: String(NGINX_PORT) } },
    );
    await daemon.waitFor(/ready; watching/, 30_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { net, daemon, serves: () => body(NGINX_PORT), stop };
};
