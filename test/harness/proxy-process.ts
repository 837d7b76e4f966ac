// What the nginx and HAProxy harnesses share: a master process in the
// foreground, readiness by HTTP, a body fetch, and a stop by PID that leaves
// nothing behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';

export interface ProxyServer {
  readonly port: number;
  /** PID of the master process. */
  readonly pid: number;
  /** A reload command for reload_cmd (signals the master). */
  readonly reloadCmd: string;
  /** The main configuration file. */
  readonly confPath: string;
  /** Directory holding the proxy's config, pid and logs; removed by stop(). */
  readonly dir: string;
  /** GET http://127.0.0.1:port/path; resolves with the status and body. */
  fetch(path?: string): Promise<{ status: number; body: string }>;
  /** Polls until the body of / equals `body` or the deadline passes. */
  waitForBody(body: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
// A crashed test run must not leave a proxy behind.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export const requireProgram = (path: string, pkg: string): void => {
  if (!existsSync(path)) throw new Error(`${path} is missing: install Debian's ${pkg} package`);
};

export const httpGet = (port: number, path = '/'): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, agent: false, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const waitForExit = (child: ChildProcess, timeoutMs: number): Promise<boolean> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(true);
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });

export interface MasterSpec {
  program: string;
  args: string[];
  port: number;
  confPath: string;
  dir: string;
  logFile: string;
  reloadSignal: NodeJS.Signals;
  stopSignal: NodeJS.Signals;
  /** The body the proxy must answer before it counts as ready. */
  readyBody: string;
}

export const startMaster = async (spec: MasterSpec): Promise<ProxyServer> => {
  const fd = openSync(spec.logFile, 'a');
  const child = spawn(spec.program, spec.args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  live.add(child);
  child.once('exit', () => live.delete(child));
  const log = () => (existsSync(spec.logFile) ? readFileSync(spec.logFile, 'utf8').slice(-2000) : '');

  const waitForBody = async (body: string, timeoutMs = 15_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`${spec.program} exited with ${child.exitCode}:\n${log()}`);
      try {
        const res = await httpGet(spec.port);
        if (res.status === 200 && res.body === body) return;
        last = `${res.status} ${res.body}`;
      } catch (err) {
        last = String(err);
      }
      await sleep(100);
    }
    throw new Error(`${spec.program} on port ${spec.port} did not answer "${body}" (last: ${last}):\n${log()}`);
  };

  // Stops the master by PID, then removes the proxy's directory.
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(spec.stopSignal);
      if (!(await waitForExit(child, 10_000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    }
    rmSync(spec.dir, { recursive: true, force: true });
  };

  try {
    await waitForBody(spec.readyBody);
  } catch (err) {
    await stop();
    throw err;
  }
  const pid = child.pid ?? -1;
  return {
    port: spec.port,
    pid,
    reloadCmd: `kill -${spec.reloadSignal.replace(/^SIG/, '')} ${pid}`,
    confPath: spec.confPath,
    dir: spec.dir,
    fetch: (path) => httpGet(spec.port, path),
    waitForBody,
    stop,
  };
};
