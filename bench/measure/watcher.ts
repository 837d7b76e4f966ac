// switchyard in watch mode as a child process with JSON logs the bench can
// wait on; stopped by PID (SIGTERM, then SIGKILL) at the end.
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI, REPO_ROOT } from './repo.js';

export interface LogLine {
  time: string;
  level: string;
  msg: string;
  [field: string]: unknown;
}

export interface BenchWatcher {
  readonly pid: number;
  /** When the process was spawned (ms since the epoch). */
  readonly spawnedAt: number;
  lines(): readonly LogLine[];
  /** Polls the log until a line matches; rejects on timeout or exit, with the log tail. */
  waitForLine(match: (l: LogLine) => boolean, what: string, timeoutMs: number): Promise<LogLine>;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const startBenchWatcher = (args: readonly string[]): BenchWatcher => {
  const spawnedAt = Date.now();
  const child: ChildProcess = spawn(process.execPath, [CLI, '--log-format', 'json', ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const parsed: LogLine[] = [];
  const raw: string[] = [];
  let partial = '';
  const take = (chunk: Buffer): void => {
    const text = partial + chunk.toString();
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      raw.push(line);
      try {
        parsed.push(JSON.parse(line) as LogLine);
      } catch {
        // Not a log line (a stray print); kept in raw for error messages.
      }
    }
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const tail = (): string => raw.slice(-30).join('\n');

  return {
    pid: child.pid ?? -1,
    spawnedAt,
    lines: () => parsed,
    waitForLine: async (match, what, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = parsed.find(match);
        if (found) return found;
        if (!running()) throw new Error(`switchyard exited before ${what}; log:\n${tail()}`);
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; log:\n${tail()}`);
        await sleep(20);
      }
    },
    stop: async () => {
      if (!running()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
};
