// How many TCP connections a process holds to a port, read from `ss`.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export const connectionsTo = async (pid: number, port: number): Promise<number> => {
  const { stdout } = await execFileP('ss', ['-Htnp', 'state', 'established', 'dport', `= :${port}`]);
  return stdout.split('\n').filter((l) => l.includes(`pid=${pid},`)).length;
};
