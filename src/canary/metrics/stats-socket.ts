// One command on HAProxy's stats socket (a unix socket): connect, send the
// command, read the answer until HAProxy closes the connection.
import { createConnection } from 'node:net';

const ANSWER_LIMIT = 64 * 1024 * 1024;

/** Resolves with HAProxy's answer; rejects with the cause (ENOENT, ECONNREFUSED, timeout). */
export const askStatsSocket = (socket: string, command: string, timeoutMs = 5_000): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const conn = createConnection({ path: socket });
    const fail = (err: Error): void => {
      conn.destroy();
      reject(err);
    };
    conn.setTimeout(timeoutMs, () => fail(new Error(`no answer to "${command}" within ${timeoutMs} ms`)));
    conn.on('error', fail);
    conn.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > ANSWER_LIMIT) return fail(new Error(`the answer to "${command}" is larger than ${ANSWER_LIMIT} bytes`));
      chunks.push(chunk);
    });
    conn.on('end', () => {
      conn.destroy();
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    conn.on('connect', () => conn.end(`${command}\n`));
  });
