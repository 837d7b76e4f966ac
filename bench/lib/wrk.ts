// Runs wrk with count.lua against one URL and returns its totals: requests,
// non-2xx answers, which color answered, and socket errors by kind.
import { execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { benchDir } from './paths.js';

export const WRK = '/usr/bin/wrk';

export interface WrkOptions {
  url: string;
  durationS: number;
  threads: number;
  connections: number;
  /** Send `Connection: close`: every request on a new connection. */
  close: boolean;
}

export interface WrkResult {
  requests: number;
  durationUs: number;
  non2xx: number;
  blue: number;
  green: number;
  connect: number;
  read: number;
  write: number;
  timeout: number;
  status: number;
  p99Us: number;
}

/**
 * Requests that did not get a 2xx answer naming a color: non-2xx answers, 2xx
 * answers whose body names neither color (a default page, an error page
 * served with 200), and every socket error.
 */
export const failedRequests = (r: WrkResult): number => r.requests - r.blue - r.green + r.connect + r.read + r.write + r.timeout;

export interface WrkRun {
  /** Resolves with the totals once wrk ends (its duration passed, or stop()). */
  readonly result: Promise<WrkResult>;
  /** SIGINT: wrk stops sending and prints its totals. */
  stop(): void;
}

export const startWrk = (options: WrkOptions): WrkRun => {
  if (!existsSync(WRK)) throw new Error(`${WRK} is missing: install Debian's wrk package`);
  const args = [
    '-t', String(options.threads), '-c', String(options.connections), '-d', `${options.durationS}s`,
    '--timeout', '5s', '-s', join(benchDir, 'count.lua'), options.url,
  ];
  const env = { ...process.env, WRK_CLOSE: options.close ? '1' : '0' };
  let child: ChildProcess | undefined;
  const result = new Promise<WrkResult>((resolve, reject) => {
    child = execFile(WRK, args, { env, timeout: (options.durationS + 30) * 1000, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const line = stdout.split('\n').find((l) => l.startsWith('WRK_RESULT '));
      if (!line) {
        reject(new Error(`wrk ${args.join(' ')} failed: ${error?.message ?? 'no WRK_RESULT line'}\n${stdout}\n${stderr}`, { cause: error }));
        return;
      }
      resolve(JSON.parse(line.slice('WRK_RESULT '.length)) as WrkResult);
    });
  });
  return { result, stop: () => void child?.kill('SIGINT') };
};
