// The processes alive on this machine, read from /proc: no dependency on
// procps (pgrep, ps), whose absence would make a "nothing left running"
// check pass without looking.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** The arguments joined by spaces. */
  cmdline: string;
}

const readProcess = (pid: number): ProcessInfo | undefined => {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    // Fields after the command name, which is in parentheses and may hold anything.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // A zombie has exited already; it only waits for its parent to reap it.
    if (state === 'Z') return undefined;
    return { pid, ppid: Number(ppid), cmdline };
  } catch {
    return undefined; // exited while we read it
  }
};

export const listProcesses = (): ProcessInfo[] => {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProcess(Number(name)))
    .filter((p): p is ProcessInfo => p !== undefined);
  // /proc always lists this process: an empty list means /proc was not read.
  if (!all.some((p) => p.pid === process.pid)) throw new Error('cannot list processes: /proc does not show this process');
  return all;
};

/** Processes other than this one whose command line contains `text`. */
export const processesRunning = (text: string): ProcessInfo[] =>
  listProcesses().filter((p) => p.pid !== process.pid && p.cmdline.includes(text));

/** Whether a process with this PID exists (a zombie counts until its parent reaps it). */
export const pidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
