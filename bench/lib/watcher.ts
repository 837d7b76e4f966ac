// ./bin/switchyard as a long-running watcher (the built CLI, as
// switchyard.service runs it), its JSON log parsed line by line; stopped by
// PID with SIGTERM, SIGKILL after a grace period.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { hasExited, waitForExit } from '../../test/harness/server-process.js';
import { waitFor } from '../../test/harness/wait.js';
import { repoRoot } from './paths.js';

export const BIN = join(repoRoot, 'bin', 'switchyard');

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export interface SwitchyardWatcher {
  readonly pid: number;
  lines(): readonly LogLine[];
  /** Resolves once a log line with `msg` appears; rejects if switchyard exits first. */
  waitForMessage(msg: string, timeoutMs: number): Promise<void>;
  tail(): string;
  stop(): Promise<void>;
}

export const requireBuild = (): void => {
  if (!existsSync(join(repoRoot, 'dist', 'bundle', 'switchyard.js'))) throw new Error('dist/ is missing: run `npm run build` first');
};

const parseLine = (text: string): LogLine => {
  try {
    return JSON.parse(text) as LogLine;
  } catch {
    return { level: 'text', msg: text };
  }
};

export const startWatcher = (args: string[], env: NodeJS.ProcessEnv): SwitchyardWatcher => {
  requireBuild();
  const child = spawn(process.execPath, [BIN, ...args, '--log-format', 'json'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: LogLine[] = [];
  let raw = '';
  let partial = '';
  const collect = (chunk: Buffer): void => {
    raw = (raw + chunk.toString()).slice(-20_000);
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const part of parts) if (part.trim()) lines.push(parseLine(part));
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return {
    pid: child.pid ?? -1,
    lines: () => lines,
    waitForMessage: async (msg, timeoutMs) => {
      await waitFor(`switchyard to log "${msg}"`, () => {
        if (hasExited(child)) throw new Error(`switchyard exited with ${child.exitCode} before "${msg}":\n${raw}`);
        return lines.some((l) => l.msg === msg);
      }, timeoutMs);
    },
    tail: () => raw.slice(-4000),
    stop: async () => {
      if (hasExited(child)) return;
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 15_000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    },
  };
};
