// examples/blue-green/nginx/reload.sh through the pipeline, against a real
// nginx: a reload returns once new workers serve the new file, and a
// configuration that nginx -t accepts but the master refuses at run time (a
// listen address already taken) fails the reload, so the previous file is
// put back and reloaded instead of being reported as live.
import { createServer, type Server } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyResource, ReloadFailedError } from '../../src/resource/pipeline.js';
import { startHttpApp, type HttpApp } from '../harness/http-app.js';
import { startNginx, upstreamFragment, type NginxServer } from '../harness/nginx.js';
import { expectServesOnly, pipelineOptions, testResource } from '../harness/pipeline-resource.js';
import { freePort } from '../harness/ports.js';

const SCRIPT = join(import.meta.dirname, '../../examples/blue-green/nginx/reload.sh');

let blue: HttpApp;
let green: HttpApp;
let nginx: NginxServer;
let dest: string;
let taken: Server;
let takenPort: number;

beforeAll(async () => {
  [blue, green] = await Promise.all([startHttpApp('blue'), startHttpApp('green')]);
  dest = join(mkdtempSync(join(tmpdir(), 'switchyard-nginx-reload-')), 'upstream.conf');
  nginx = await startNginx({ fragmentPath: dest, fragment: upstreamFragment(blue.addr), readyBody: 'blue' });
  takenPort = await freePort();
  taken = createServer();
  await new Promise<void>((r) => taken.listen(takenPort, '127.0.0.1', r));
});

afterAll(async () => {
  await nginx?.stop();
  await Promise.all([blue?.stop(), green?.stop(), new Promise((r) => taken?.close(r))]);
});

describe('nginx reload.sh', () => {
  const resource = () => testResource(dest, { reloadCmd: `${SCRIPT} ${join(nginx.dir, 'nginx.pid')} 5` });

  it('returns once nginx serves the new upstream', async () => {
    const result = await applyResource(resource(), upstreamFragment(green.addr), pipelineOptions);
    expect(result.outcome).toBe('updated');
    await expectServesOnly(nginx, 'green');
  });

  it('fails a reload the master refuses at run time, and the previous file is put back', async () => {
    const refused = `${upstreamFragment(blue.addr)}server {\n    listen 127.0.0.1:${takenPort};\n}\n`;
    const err = await applyResource(resource(), refused, pipelineOptions).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReloadFailedError);
    expect((err as ReloadFailedError).message).toMatch(/did not start new workers/);
    expect((err as ReloadFailedError).secondReload).toBe('succeeded');
    expect(readFileSync(dest, 'utf8')).toBe(upstreamFragment(green.addr));
    await expectServesOnly(nginx, 'green');
  }, 60_000);
});
