// CPU time and resident memory of a process from /proc (Linux).
import { readFileSync } from 'node:fs';

/** Clock ticks per second for /proc/PID/stat (USER_HZ, 100 on Linux). */
const TICKS = 100;

/** utime + stime in seconds; NaN when the process is gone. */
export const cpuSeconds = (pid: number): number => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state: utime is the 12th of them.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return Number.NaN;
  }
};

/** VmRSS in MiB; NaN when the process is gone. */
export const rssMiB = (pid: number): number => {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
};
