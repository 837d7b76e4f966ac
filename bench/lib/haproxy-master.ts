// HAProxy's master CLI (-S socket): the master's reload counter tells when a
// reload really happened. A SIGUSR2 that reaches the master while it is
// still re-executing itself after the previous reload is lost, so a reload
// is confirmed by the counter and the signal sent again when it did not move.
import { connect } from 'node:net';
import { sleep } from '../../test/harness/wait.js';

const showProc = (socket: string): Promise<string> =>
  new Promise((resolve, reject) => {
    let out = '';
    const conn = connect(socket, () => conn.end('show proc\n'));
    conn.setTimeout(2000, () => conn.destroy(new Error(`no answer from ${socket}`)));
    conn.on('data', (chunk) => (out += chunk.toString()));
    conn.on('end', () => resolve(out));
    conn.on('error', reject);
  });

/** The master's reload count, or undefined while it does not answer (it is re-executing). */
export const masterReloads = async (socket: string): Promise<number | undefined> => {
  const out = await showProc(socket).catch(() => '');
  const match = /^\d+\s+master\s+(\d+)/m.exec(out);
  return match ? Number(match[1]) : undefined;
};

/** Sends SIGUSR2 until the reload counter moves; returns how many signals were lost. */
export const confirmedReload = async (socket: string, masterPid: number, timeoutMs = 10_000): Promise<number> => {
  const deadline = Date.now() + timeoutMs;
  let before: number | undefined;
  while ((before = await masterReloads(socket)) === undefined) {
    if (Date.now() > deadline) throw new Error(`HAProxy master CLI ${socket} does not answer`);
    await sleep(20);
  }
  for (let lost = 0; Date.now() < deadline; lost++) {
    process.kill(masterPid, 'SIGUSR2');
    const resendAt = Date.now() + 1500;
    while (Date.now() < resendAt) {
      const now = await masterReloads(socket);
      if (now !== undefined && now > before) return lost;
      await sleep(20);
    }
  }
  throw new Error(`HAProxy master ${masterPid} did not reload within ${timeoutMs} ms`);
};
