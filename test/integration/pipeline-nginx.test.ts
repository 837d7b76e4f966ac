// The pipeline against a real nginx serving real upstream apps: the check is
// `switchyard check-fragment nginx` (nginx -t on the full config), the reload
// a SIGHUP to the master.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TemplateResource } from '../../src/config/resource.js';
import { ResourceError } from '../../src/errors.js';
import { applyResource, ReloadFailedError } from '../../src/resource/pipeline.js';
import { BIN, runCli } from '../harness/cli.js';
import { startHttpApp, type HttpApp } from '../harness/http-app.js';
import { expectServesOnly, pipelineOptions, tempFilesIn, testResource } from '../harness/pipeline-resource.js';
import { startNginx, upstreamFragment, type NginxServer } from '../harness/nginx.js';

let dir: string;
let dest: string;
let blue: HttpApp;
let green: HttpApp;
let nginx: NginxServer;

const resource = (over: Partial<TemplateResource> = {}): TemplateResource =>
  testResource(dest, {
    checkCmd: `${process.execPath} ${BIN} check-fragment nginx --prefix ${nginx.dir} --config ${nginx.confPath} --staged {{src}} --dest {{dest}}`,
    reloadCmd: nginx.reloadCmd,
    ...over,
  });
const tempFiles = () => tempFilesIn(dir);
const servesOnly = (body: string) => expectServesOnly(nginx, body);

/**
 * Waits until nginx's master keeps the same children for a second: a HUP that
 * reached the master while it was reloading makes it reload once more, later,
 * and on a loaded machine that can come after the test has moved on.
 */
const settled = async (): Promise<void> => {
  const children = (): string => readFileSync(`/proc/${nginx.pid}/task/${nginx.pid}/children`, 'utf8').trim();
  const deadline = Date.now() + 20_000;
  let last = children();
  let since = Date.now();
  while (Date.now() - since < 1000) {
    if (Date.now() > deadline) throw new Error(`nginx kept changing its workers for 20 s (now: ${last})`);
    await new Promise((r) => setTimeout(r, 100));
    const now = children();
    if (now !== last) [last, since] = [now, Date.now()];
  }
};
const options = pipelineOptions;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-pipeline-nginx-'));
  dest = join(dir, 'upstream.conf');
  [blue, green] = await Promise.all([startHttpApp('blue'), startHttpApp('green')]);
  nginx = await startNginx({ fragmentPath: dest, fragment: upstreamFragment(blue.addr), readyBody: 'blue' });
});
afterAll(async () => {
  await Promise.all([nginx?.stop(), blue?.stop(), green?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('applyResource with nginx', () => {
  it('checks, swaps and reloads: nginx serves the new upstream', async () => {
    const result = await applyResource(resource(), upstreamFragment(green.addr), options);
    expect(result.outcome).toBe('updated');
    expect(readFileSync(dest, 'utf8')).toBe(upstreamFragment(green.addr));
    await nginx.waitForBody('green');
    await servesOnly('green');
    expect(tempFiles()).toEqual([]);
  });

  it('a value that fails nginx -t leaves the old file and the serving proxy untouched', async () => {
    const err = await applyResource(resource(), upstreamFragment('127.0.0.1:99999'), options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceError);
    expect((err as ResourceError).stage).toBe('check');
    expect((err as ResourceError).message).toMatch(/exited with code 1; stderr: .*\[emerg\]/s);
    expect((err as ResourceError).message).toContain(dest);
    expect(readFileSync(dest, 'utf8')).toBe(upstreamFragment(green.addr));
    expect(tempFiles()).toEqual([]);
    await servesOnly('green');
  });

  it('a reload that fails puts the previous file back and nginx keeps serving the old upstream', async () => {
    // This reload refuses to run while the blue upstream is in dest.
    const reloadCmd = `if grep -q ${blue.addr} {{dest}}; then echo refused >&2; exit 3; fi; ${nginx.reloadCmd}`;
    const err = await applyResource(resource({ reloadCmd }), upstreamFragment(blue.addr), options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReloadFailedError);
    expect((err as ReloadFailedError).rolledBack).toBe(true);
    expect((err as ReloadFailedError).secondReload).toBe('succeeded');
    expect((err as ReloadFailedError).message).toMatch(/the previous file was restored and reloaded/);
    expect(readFileSync(dest, 'utf8')).toBe(upstreamFragment(green.addr));
    expect(tempFiles()).toEqual([]);
    await servesOnly('green');
  });

  it('a reload that really loaded the new file and then failed is undone by the second reload', async () => {
    const first = join(dir, 'first-reload-done');
    const reloadCmd = `if [ -e ${first} ]; then ${nginx.reloadCmd}; else touch ${first}; ${nginx.reloadCmd}; exit 1; fi`;
    const err = await applyResource(resource({ reloadCmd }), upstreamFragment(blue.addr), options).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReloadFailedError);
    expect((err as ReloadFailedError).secondReload).toBe('succeeded');
    expect(readFileSync(dest, 'utf8')).toBe(upstreamFragment(green.addr));
    await nginx.waitForBody('green');
    await servesOnly('green');
  });

  it('unchanged content runs nothing; noop prints a diff and writes nothing; syncOnly skips the reload', async () => {
    await settled();
    const never = `touch ${join(dir, 'ran')}`;
    const quiet = resource({ checkCmd: never, reloadCmd: never });
    expect((await applyResource(quiet, upstreamFragment(green.addr), options)).outcome).toBe('unchanged');

    const printed: string[] = [];
    const noop = await applyResource(quiet, upstreamFragment(blue.addr), { ...options, noop: true, print: (t) => printed.push(t) });
    expect(noop.outcome).toBe('would-update');
    expect(printed.join('')).toContain(`-    server ${green.addr};\n+    server ${blue.addr};`);
    expect(readFileSync(dest, 'utf8')).toBe(upstreamFragment(green.addr));

    expect((await applyResource(quiet, upstreamFragment(blue.addr), { ...options, syncOnly: true })).outcome).toBe('updated');
    expect(readFileSync(dest, 'utf8')).toBe(upstreamFragment(blue.addr));
    expect(existsSync(join(dir, 'ran'))).toBe(false);
    await servesOnly('green'); // written, not reloaded
  });

  it('check-fragment runs from the switchyard binary and exits 1 on a broken fragment', async () => {
    const args = ['check-fragment', 'nginx', '--prefix', nginx.dir, '--config', nginx.confPath, '--dest', dest];
    const staged = join(dir, '.upstream.conf.switchyard-stage-0123456789ab');
    writeFileSync(staged, 'upstream app { server 127.0.0.1:1; }\n');
    expect((await runCli([...args, '--staged', staged])).code).toBe(0);
    writeFileSync(staged, 'upstream app { server; }\n');
    const broken = await runCli([...args, '--staged', staged]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(`${dest}:1`);
    // The arguments are parsed as the in-daemon check parses them.
    const zero = await runCli([...args, '--staged', staged, '--timeout', '0']);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('check-fragment: --timeout: expected seconds > 0, got "0"');
    rmSync(staged);
  });
});
