// The pipeline against a real HAProxy in master-worker mode: the check is
// `switchyard check-fragment haproxy` (haproxy -c on every -f file), the
// reload a SIGUSR2 to the master.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TemplateResource } from '../../src/config/resource.js';
import { ResourceError } from '../../src/errors.js';
import { applyResource, ReloadFailedError } from '../../src/resource/pipeline.js';
import { BIN } from '../harness/cli.js';
import { backendFragment, startHaproxy } from '../harness/haproxy.js';
import { startHttpApp, type HttpApp } from '../harness/http-app.js';
import { expectServesOnly, pipelineOptions, tempFilesIn, testResource } from '../harness/pipeline-resource.js';
import type { ProxyServer } from '../harness/proxy-process.js';

let dir: string;
let dest: string;
let blue: HttpApp;
let green: HttpApp;
let haproxy: ProxyServer;

const resource = (over: Partial<TemplateResource> = {}): TemplateResource =>
  testResource(dest, {
    checkCmd: `${process.execPath} ${BIN} check-fragment haproxy --config ${haproxy.confPath} --config {{dest}} --staged {{src}} --dest {{dest}}`,
    reloadCmd: haproxy.reloadCmd,
    ...over,
  });
const tempFiles = () => tempFilesIn(dir);
const servesOnly = (body: string) => expectServesOnly(haproxy, body);
const options = pipelineOptions;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-pipeline-haproxy-'));
  dest = join(dir, 'backend.cfg');
  [blue, green] = await Promise.all([startHttpApp('blue'), startHttpApp('green')]);
  haproxy = await startHaproxy({ fragmentPath: dest, fragment: backendFragment(blue.addr), readyBody: 'blue' });
});
afterAll(async () => {
  await Promise.all([haproxy?.stop(), blue?.stop(), green?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('applyResource with HAProxy', () => {
  it('checks, swaps and reloads: HAProxy serves the new backend', async () => {
    expect((await applyResource(resource(), backendFragment(green.addr), options)).outcome).toBe('updated');
    await haproxy.waitForBody('green');
    await servesOnly('green');
    expect(tempFiles()).toEqual([]);
  });

  it('a backend that fails haproxy -c in the full config leaves everything untouched', async () => {
    // Valid on its own, but the frontend's default_backend `app` would vanish.
    const err = await applyResource(resource(), `backend other\n    server s1 ${blue.addr}\n`, options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceError);
    expect((err as ResourceError).stage).toBe('check');
    expect((err as ResourceError).message).toMatch(/unable to find required default_backend: 'app'/);
    expect(readFileSync(dest, 'utf8')).toBe(backendFragment(green.addr));
    expect(tempFiles()).toEqual([]);
    await servesOnly('green');
  });

  it('a reload that fails puts the previous file back', async () => {
    const reloadCmd = `if grep -q ${blue.addr} {{dest}}; then exit 5; fi; ${haproxy.reloadCmd}`;
    const err = await applyResource(resource({ reloadCmd }), backendFragment(blue.addr), options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReloadFailedError);
    expect((err as ReloadFailedError).message).toMatch(/exited with code 5; the previous file was restored and reloaded/);
    expect(readFileSync(dest, 'utf8')).toBe(backendFragment(green.addr));
    await servesOnly('green');
  });
});
