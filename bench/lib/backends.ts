// The blue and green copies of the example app (examples/blue-green/app),
// each its own node process on a free loopback port, as the units run them.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { httpGet } from '../../test/harness/proxy-process.js';
import { freePort } from '../../test/harness/ports.js';
import { waitFor } from '../../test/harness/wait.js';
import { exampleDir } from './paths.js';

export type Color = 'blue' | 'green';

export interface Backend {
  readonly color: Color;
  readonly addr: string;
  /** What GET / answers. */
  readonly body: string;
  stop(): Promise<void>;
}

const exited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;

export const startBackend = async (color: Color): Promise<Backend> => {
  const port = await freePort();
  const child = spawn(process.execPath, [join(exampleDir, 'app', 'server.js')], {
    env: { ...process.env, PORT: String(port), COLOR: color, VERSION: '1', HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stop = async (): Promise<void> => {
    if (exited(child)) return;
    child.kill('SIGTERM');
    await waitFor(`${color} app to exit`, () => exited(child), 10_000).catch(() => child.kill('SIGKILL'));
  };
  try {
    await waitFor(`${color} app on port ${port}`, async () => {
      if (exited(child)) throw new Error(`${color} app exited with ${child.exitCode}`);
      return (await httpGet(port, '/health').catch(() => ({ status: 0 }))).status === 200;
    }, 15_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { color, addr: `127.0.0.1:${port}`, body: `${color} 1\n`, stop };
};
