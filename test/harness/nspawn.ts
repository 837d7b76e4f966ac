// A Debian bookworm container with systemd as PID 1, for tests that need real
// systemctl, unit files and journald. The cached rootfs (scripts/build-rootfs.sh)
// is booted with --volatile=overlay so a run never writes to the cache, with
// a private network (only loopback) so ports inside never clash with the host.
// Commands run inside through nsenter: --register=no means no machined.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const NSPAWN = '/usr/bin/systemd-nspawn';
const NSENTER = '/usr/bin/nsenter';
const HOST_NODE = '/usr/bin/node';
const INSIDE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface Bind {
  host: string;
  guest: string;
  readOnly?: boolean;
}

export interface BootOptions {
  /** A rootfs directory; default: the one scripts/build-rootfs.sh builds or finds cached. */
  rootfs?: string;
  /** Extra bind mounts besides the repository (/opt/switchyard, read-only) and the host's node. */
  binds?: Bind[];
  /** Bind the host's node to /usr/bin/node (default true); false leaves the container without Node.js. */
  hostNode?: boolean;
  /** How long to wait for systemd to reach running (ms). */
  readyTimeoutMs?: number;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface ExecOptions {
  input?: string;
  timeoutMs?: number;
  env?: Record<string, string>;
}

export interface Container {
  readonly machine: string;
  /** PID (in the host's namespace) of the container's systemd. */
  readonly leaderPid: number;
  readonly nspawnPid: number;
  /** Runs argv inside the container; never throws on a non-zero exit. */
  exec(argv: string[], options?: ExecOptions): Promise<ExecResult>;
  /** Runs argv inside; throws with its output when it exits non-zero. */
  run(argv: string[], options?: ExecOptions): Promise<string>;
  /** `sh -c script` inside; throws on a non-zero exit. */
  sh(script: string, options?: ExecOptions): Promise<string>;
  /** The journal of a unit (or everything) — for failure messages. */
  journal(unit?: string, lines?: number): Promise<string>;
  /** Powers the container off, killing it by PID if it does not stop in time. Idempotent. */
  stop(): Promise<void>;
}

const live = new Map<number, ChildProcess>();
// A crashed test run must not leave a container behind.
process.once('exit', () => {
  for (const [leader, nspawn] of live) {
    try {
      process.kill(leader, 'SIGKILL');
    } catch {
      // already gone
    }
    nspawn.kill('SIGKILL');
  }
});

const requireProgram = (path: string, pkg: string): void => {
  if (!existsSync(path)) throw new Error(`${path} is missing: install Debian's ${pkg} package`);
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const execP = (file: string, args: string[], options: ExecOptions = {}): Promise<ExecResult> =>
  new Promise((resolvePromise) => {
    const child = execFile(
      file,
      args,
      { timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 124) : 0;
        resolvePromise({ stdout, stderr: error && code === 124 ? `${stderr}\n${error.message}` : stderr, exitCode: code });
      },
    );
    // A command may exit without reading its input; EPIPE then is not an error.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.input ?? '');
  });

/** Builds (or finds cached) the test rootfs; returns its path. */
export const ensureRootfs = async (): Promise<string> => {
  const result = await execP('bash', [join(repoRoot, 'scripts/build-rootfs.sh')], { timeoutMs: 900_000 });
  const path = result.stdout.trim().split('\n').pop() ?? '';
  if (result.exitCode !== 0 || !existsSync(path)) {
    throw new Error(`scripts/build-rootfs.sh failed (exit ${result.exitCode}):\n${result.stderr.slice(-3000)}`);
  }
  return path;
};

const isProcessGone = (pid: number): boolean => !existsSync(`/proc/${pid}`);

const waitGone = async (pid: number, timeoutMs: number): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (isProcessGone(pid)) return true;
    await sleep(100);
  }
  return isProcessGone(pid);
};

// nspawn's direct child becomes the container's PID 1 once it execs systemd.
const findLeader = (nspawnPid: number): number | undefined => {
  for (const task of readdirSync(`/proc/${nspawnPid}/task`)) {
    const children = readFileSync(`/proc/${nspawnPid}/task/${task}/children`, 'utf8').trim();
    for (const pid of children.split(/\s+/).filter(Boolean).map(Number)) {
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      if (comm === 'systemd') return pid;
    }
  }
  return undefined;
};

const bootLog = (logFile: string): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-3000) : '');

export const bootContainer = async (options: BootOptions = {}): Promise<Container> => {
  requireProgram(NSPAWN, 'systemd-container');
  requireProgram(NSENTER, 'util-linux');
  const hostNode = options.hostNode ?? true;
  if (hostNode) requireProgram(HOST_NODE, 'nodejs (20 or later)');
  const rootfs = options.rootfs ?? (await ensureRootfs());
  const machine = `switchyard-${process.pid}-${Date.now().toString(36)}`;
  const workDir = mkdtempSync(join(tmpdir(), 'switchyard-nspawn-'));
  const logFile = join(workDir, 'console.log');
  const binds: Bind[] = [
    { host: repoRoot, guest: '/opt/switchyard', readOnly: true },
    ...(hostNode ? [{ host: HOST_NODE, guest: '/usr/bin/node', readOnly: true }] : []),
    ...(options.binds ?? []),
  ];
  const args = [
    '--quiet', '--register=no', '--keep-unit', '--boot',
    `--directory=${rootfs}`, `--machine=${machine}`,
    '--volatile=overlay', '--private-network', '--console=pipe',
    ...binds.map((b) => `${b.readOnly ? '--bind-ro' : '--bind'}=${b.host}:${b.guest}`),
  ];
  const fd = openSync(logFile, 'a');
  const nspawn = spawn(NSPAWN, args, { stdio: ['ignore', fd, fd], env: { ...process.env, SYSTEMD_LOG_LEVEL: 'warning' } });
  closeSync(fd);
  const nspawnPid = nspawn.pid ?? -1;

  let leaderPid = -1;
  let stopped = false;
  const cleanupFiles = (): void => {
    rmSync(workDir, { recursive: true, force: true });
    rmSync(`/run/systemd/nspawn/propagate/${machine}`, { recursive: true, force: true });
  };

  const exec = (argv: string[], execOptions: ExecOptions = {}): Promise<ExecResult> => {
    const env = Object.entries({ PATH: INSIDE_PATH, HOME: '/root', LANG: 'C.UTF-8', ...execOptions.env }).map(
      ([k, v]) => `${k}=${v}`,
    );
    return execP(NSENTER, ['-t', String(leaderPid), '-a', '--', '/usr/bin/env', '-i', ...env, ...argv], execOptions);
  };
  const run = async (argv: string[], execOptions?: ExecOptions): Promise<string> => {
    const result = await exec(argv, execOptions);
    if (result.exitCode !== 0) {
      throw new Error(`in ${machine}: \`${argv.join(' ')}\` exited ${result.exitCode}\n${result.stdout}\n${result.stderr}`);
    }
    return result.stdout;
  };

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // SIGTERM asks nspawn to power the container off; SIGKILL on PID 1 tears its PID namespace down.
    nspawn.kill('SIGTERM');
    if (!(await waitGone(nspawnPid, 20_000))) {
      if (leaderPid > 0) {
        try {
          process.kill(leaderPid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      nspawn.kill('SIGKILL');
      await waitGone(nspawnPid, 10_000);
    }
    live.delete(leaderPid);
    cleanupFiles();
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  try {
    while (leaderPid < 0) {
      if (nspawn.exitCode !== null || Date.now() > deadline) throw new Error('systemd did not start');
      leaderPid = findLeader(nspawnPid) ?? -1;
      if (leaderPid < 0) await sleep(50);
    }
    live.set(leaderPid, nspawn);
    let state = '';
    while (Date.now() < deadline) {
      const result = await exec(['systemctl', 'is-system-running', '--wait'], { timeoutMs: Math.max(1000, deadline - Date.now()) });
      state = result.stdout.trim();
      if (state === 'running' || state === 'degraded') break;
      await sleep(200);
    }
    if (state !== 'running') {
      const failed = await exec(['systemctl', '--failed', '--no-pager', '--plain']);
      throw new Error(`system state is '${state || 'unknown'}'\n${failed.stdout}`);
    }
  } catch (err) {
    const log = bootLog(logFile);
    await stop();
    throw new Error(`container ${machine} from ${rootfs} did not boot: ${(err as Error).message}\n${log}`, { cause: err });
  }

  return {
    machine,
    leaderPid,
    nspawnPid,
    exec,
    run,
    sh: (script, execOptions) => run(['/bin/sh', '-c', script], execOptions),
    journal: async (unit, lines = 200) => {
      const unitArgs = unit ? ['-u', unit] : [];
      const result = await exec(['journalctl', '--no-pager', '-o', 'short-monotonic', '-n', String(lines), ...unitArgs]);
      return result.stdout + result.stderr;
    },
    stop,
  };
};
