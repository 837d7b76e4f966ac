// Spawning and stopping test servers: output goes to a log file, and every
// child is SIGKILLed if the test process exits without stopping it.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Starts binary with stdout and stderr appended to logFile (env: added to this process's environment). */
export const spawnLogged = (binary: string, args: readonly string[], logFile: string, env?: NodeJS.ProcessEnv): ChildProcess => {
  const fd = openSync(logFile, 'a');
  const proc = spawn(binary, args, { stdio: ['ignore', fd, fd], ...(env ? { env: { ...process.env, ...env } } : {}) });
  closeSync(fd);
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  return proc;
};

export const hasExited = (proc: ChildProcess): boolean => proc.exitCode !== null || proc.signalCode !== null;

export const waitForExit = async (proc: ChildProcess, timeoutMs: number): Promise<boolean> => {
  if (hasExited(proc)) return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
};

/** Sends signal (after SIGCONT, in case it was stopped) and waits; SIGKILL after 10 s. */
export const haltProcess = async (proc: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
  if (!proc || hasExited(proc)) return;
  proc.kill('SIGCONT');
  proc.kill(signal);
  if (!(await waitForExit(proc, 10_000))) {
    proc.kill('SIGKILL');
    await waitForExit(proc, 5_000);
  }
};
