// Processes for the side-by-side bench: finding (or building) confd and
// consul-template with the scripts in ../shared/peers/, one-shot runs timed
// from spawn to exit with their peak RSS (GNU time), and watch daemons whose
// RSS is read from /proc and which are stopped by PID.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './repo.js';

const execFileP = promisify(execFile);
const TIME = '/usr/bin/time';

/** The peer's binary, built by its script (idempotent: a cached build is kept). */
export const ensurePeer = async (name: string, script: string): Promise<string> => {
  const scripts = resolve(process.env['SWITCHYARD_PEERS_DIR'] ?? join(REPO_ROOT, '../shared/peers'));
  const bin = resolve(process.env['SWITCHYARD_PEERS_BIN'] ?? join(homedir(), '.cache/peers/bin'));
  const path = join(scripts, script);
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: the bench builds ${name} with it; set SWITCHYARD_PEERS_DIR to the folder holding ${script}`);
  }
  try {
    await execFileP('bash', [path, bin], { timeout: 900_000, maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${path} failed to build ${name}: ${e.message}\n${(e.stderr ?? '').slice(-3000)}`, { cause: err });
  }
  const binary = join(bin, name);
  if (!existsSync(binary)) throw new Error(`${path} ran but ${binary} is missing`);
  return binary;
};

export interface RunSample {
  code: number | null;
  ms: number;
  /** User + system CPU time of the run (GNU time): moves far less with the machine's load than the wall time. */
  cpuMs: number;
  rssMb: number;
  stderr: string;
}

/** Runs argv once under GNU time: wall time from spawn to exit, and the peak RSS. */
export const measuredRun = (argv: string[], options: { cwd?: string } = {}): Promise<RunSample> =>
  new Promise((resolvePromise, reject) => {
    if (!existsSync(TIME)) throw new Error(`${TIME} is missing: apt-get install time`);
    const started = process.hrtime.bigint();
    const child = spawn(TIME, ['-f', 'PEAK_RSS_KB=%M CPU_S=%U+%S', ...argv], { cwd: options.cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const kb = Number(/PEAK_RSS_KB=(\d+)/.exec(stderr)?.[1] ?? Number.NaN);
      const cpu = /CPU_S=([\d.]+)\+([\d.]+)/.exec(stderr);
      const cpuMs = cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : Number.NaN;
      resolvePromise({ code, ms, cpuMs, rssMb: kb / 1024, stderr: stderr.replace(/PEAK_RSS_KB=\d+ CPU_S=[\d.+]+\n?/, '') });
    });
  });

export interface Daemon {
  readonly name: string;
  readonly pid: number;
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

/** A long-running tool; stop() sends `stopSignal` (consul-template stops on SIGINT), then SIGKILL. */
export const startDaemon = (name: string, argv: string[], stopSignal: NodeJS.Signals = 'SIGTERM'): Daemon => {
  const [file, ...args] = argv;
  const child = spawn(file ?? '', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-200_000)));
  child.stderr.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-200_000)));
  const exited = new Promise<void>((r) => child.on('close', () => r()));
  return {
    name,
    pid: child.pid ?? -1,
    waitFor: async (pattern, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(out)) {
        if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}) before ${pattern}:\n${out}`);
        if (Date.now() > deadline) throw new Error(`${name}: no ${pattern} within ${timeoutMs} ms:\n${out}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(stopSignal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
};

/** Resident set now and its high-water mark, in MB, from /proc/PID/status. */
export const rssOf = (pid: number): { rss: number; hwm: number } => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
};
