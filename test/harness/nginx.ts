// A real nginx master for integration tests: everything (config, pid, logs,
// temp dirs) under a temporary directory, one server on a free loopback port
// proxying to `upstream app`, which lives in a fragment file the test chooses.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { requireProgram, startMaster, type ProxyServer } from './proxy-process.js';

export const NGINX = '/usr/sbin/nginx';

export interface StartNginxOptions {
  /** Absolute path of the fragment included inside `http {}`; it must define `upstream app`. */
  fragmentPath: string;
  /** Written to fragmentPath before the start. */
  fragment: string;
  /** What GET / answers once nginx is up (the initial upstream's name). */
  readyBody: string;
  /** Directives in place of `access_log off;` inside http {}, e.g. a log_format and an access_log. */
  accessLog?: string;
}

export interface NginxServer extends ProxyServer {
  /** `-p` and `-c` as nginx was started with them, for `nginx -t` and check-fragment. */
  readonly prefixArgs: string[];
}

export const upstreamFragment = (addr: string): string => `upstream app {\n    server ${addr};\n}\n`;

/** A foreground nginx.conf with pid, logs and temp dirs under `dir`; `http` goes inside `http {}`. */
export const nginxConf = (dir: string, http: string, accessLog = 'access_log off;'): string => {
  const user = process.getuid?.() === 0 ? 'user root root;\n' : '';
  return `${user}daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 64; }
http {
    ${accessLog}
    client_body_temp_path ${dir}/client_body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
${http}}
`;
};

export const startNginx = async (options: StartNginxOptions): Promise<NginxServer> => {
  requireProgram(NGINX, 'nginx');
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-nginx-'));
  const port = await freePort();
  const confPath = join(dir, 'nginx.conf');
  writeFileSync(
    confPath,
    nginxConf(dir, `    include ${options.fragmentPath};
    server {
        listen 127.0.0.1:${port};
        location / { proxy_pass http://app; }
    }
`, options.accessLog),
  );
  writeFileSync(options.fragmentPath, options.fragment);
  const prefixArgs = ['-p', dir, '-c', confPath];
  const server = await startMaster({
    program: NGINX,
    args: [...prefixArgs, '-e', join(dir, 'error.log')],
    port,
    confPath,
    dir,
    logFile: join(dir, 'stderr.log'),
    reloadSignal: 'SIGHUP',
    stopSignal: 'SIGTERM',
    readyBody: options.readyBody,
  });
  return { ...server, prefixArgs };
};
