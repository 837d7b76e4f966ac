// Runs the built CLI as a child process and measures its wall time, from
// spawn to exit, with the high-resolution clock.
import { spawn } from 'node:child_process';
import { CLI, REPO_ROOT } from './repo.js';

export interface TimedRun {
  code: number | null;
  ms: number;
  stderr: string;
}

export interface RunOptions {
  nodeArgs?: readonly string[];
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** `node <argv>` from the repository root. */
export const runNode = (argv: readonly string[], options: RunOptions = {}): Promise<TimedRun> =>
  new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...argv], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, ms: Number(process.hrtime.bigint() - started) / 1e6, stderr });
    });
  });

/** `switchyard <args>` through bin/switchyard. */
export const runTimed = (args: readonly string[], options: RunOptions = {}): Promise<TimedRun> => runNode([CLI, ...args], options);

/** Runs `run` `runs` times (after `setup` each time, untimed); throws on the first non-zero exit. */
export const timeRuns = async (
  label: string,
  runs: number,
  run: () => Promise<TimedRun>,
  setup: () => void = () => undefined,
): Promise<number[]> => {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    setup();
    const r = await run();
    if (r.code !== 0) throw new Error(`${label}: exited ${r.code}:\n${r.stderr}`);
    samples.push(r.ms);
  }
  return samples;
};
