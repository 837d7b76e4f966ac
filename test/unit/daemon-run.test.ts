// runDaemon's cleanup: whatever throws, the status server is closed and the
// signal handlers are gone.
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/backend.js';
import { DEFAULT_POLICY, type TemplateResource } from '../../src/config/resource.js';
import { runDaemon } from '../../src/daemon/daemon.js';
import { silentLogger } from '../../src/log.js';
import { compileTemplateSource } from '../../src/template/engine.js';
import { freePort } from '../harness/ports.js';

const backend: Backend = {
  name: 'memory',
  endpoints: ['memory'],
  getValues: async () => ({ values: new Map([['/v', '1']]) }),
  watch: async () => ({ close: async () => undefined }),
  close: async () => undefined,
};

const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

describe('runDaemon', () => {
  it('closes the status server and removes its signal handlers when it throws', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-daemon-'));
    const resource: TemplateResource = { name: 'app', file: 'app.toml', src: 'app.hbs', dest: join(dir, 'app'), prefix: '/', keys: ['/v'], paths: ['/v'] };
    const port = await freePort();
    const signals = (): number[] => (['SIGTERM', 'SIGINT', 'SIGHUP'] as const).map((s) => process.listenerCount(s));
    const before = signals();
    let rounds = 0;
    const running = runDaemon(
      { confdir: dir, prefix: '', noop: false, metricsAddr: `127.0.0.1:${port}`, policy: DEFAULT_POLICY, historyDir: join(dir, 'history'), reportPrefix: '/switchyard' },
      { resources: [resource], templates: new Map([['app', compileTemplateSource('v={{getv "/v"}}\n', 'app.hbs')]]) },
      backend,
      { noop: false, syncOnly: false, keepStageFile: false, commandTimeoutMs: 5_000 },
      silentLogger,
      {
        onRound: () => {
          rounds += 1;
          throw new Error('boom');
        },
      },
    );
    await expect(running).rejects.toThrow('boom');
    expect(rounds).toBe(1);
    expect(await accepts(port)).toBe(false);
    expect(signals()).toEqual(before);
  });
});
