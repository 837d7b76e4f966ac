// Runs the built CLI (./bin/switchyard → dist/bundle/) as users do: once, or as a
// long-running watcher whose log the test can wait on. Watchers are stopped
// by PID at the end; none outlives the test run.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Kept out of /var/lib: every run of a test writes its history to a temporary directory unless the test gives one.
const HISTORY_DIR = mkdtempSync(join(tmpdir(), 'switchyard-history-'));
process.once('exit', () => rmSync(HISTORY_DIR, { recursive: true, force: true }));
const baseEnv = (): NodeJS.ProcessEnv => ({ SWITCHYARD_HISTORY_DIR: HISTORY_DIR, ...process.env });

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(REPO, 'bin/switchyard');

const requireBuild = (): void => {
  if (!existsSync(join(REPO, 'dist/bundle/switchyard.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
};

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs bin/switchyard with node, or `executable` (the single executable) when
 * given. `readAfterMs`: its stdout is first read that late, as a slow reader
 * of a pipe would (the pipe fills at 64 KiB and the rest waits).
 */
export const runCli = (
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; executable?: string; readAfterMs?: number } = {},
): Promise<CliResult> => {
  requireBuild();
  const started = Date.now();
  const [file, argv] = options.executable ? [options.executable, args] : [process.execPath, [BIN, ...args]];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, argv, { env: { ...baseEnv(), ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    if (options.readAfterMs !== undefined) {
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), options.readAfterMs);
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
};

export interface Watcher {
  readonly pid: number;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Polls the output until it matches, or throws with the output. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** How many times the output matches. */
  count(pattern: RegExp): number;
  signal(sig: NodeJS.Signals): void;
  /** Resolves with the exit code. */
  exited(): Promise<number | null>;
  /** SIGTERM, then SIGKILL after a grace period. Idempotent. */
  stop(): Promise<number | null>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

/** `under`: a command the watcher runs under, e.g. `ip netns exec NAME` (it must exec, so that the PID stays the watcher's). */
export const startWatcher = (args: string[], options: { env?: NodeJS.ProcessEnv; under?: readonly string[] } = {}): Watcher => {
  requireBuild();
  const [cmd, ...rest] = [...(options.under ?? []), process.execPath, BIN, ...args];
  const child = spawn(cmd!, rest, { env: { ...baseEnv(), ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((r) =>
    child.on('close', (code) => {
      live.delete(child);
      r(code);
    }),
  );
  const api: Watcher = {
    pid: child.pid ?? -1,
    output: () => out,
    waitFor: async (pattern, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(out)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output:\n${out}`);
        if (child.exitCode !== null) throw new Error(`switchyard exited (${child.exitCode}) before ${pattern}; output:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    count: (pattern) => (out.match(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g')) ?? []).length,
    signal: (sig) => {
      child.kill(sig);
    },
    exited: () => exit,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return exit;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
  };
  return api;
};

/** Polls a condition until it holds or the deadline passes. */
export const eventually = async (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};
