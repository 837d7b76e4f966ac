// Blue/green end to end: a real etcd holds the live color, a real switchyard
// watcher renders nginx's upstream from it and reloads a real nginx, and the
// example app runs as real processes (started by the stand-in systemctl of
// test/harness/bluegreen-host.ts, since PID 1 here is not systemd).
// Every operation goes through ./bin/switchyard bluegreen.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnitHost, unitOf, type UnitHost } from '../harness/bluegreen-host.js';
import { runCli, startWatcher, type CliResult, type Watcher } from '../harness/cli.js';
import { makeConfdir } from '../harness/confdir.js';
import { startEtcd, type EtcdServer } from '../harness/etcd.js';
import { startNginx, upstreamFragment, type NginxServer } from '../harness/nginx.js';
import { freePorts } from '../harness/ports.js';

const UPSTREAM = `upstream app {
    server {{#if (eq (getv "/live") "green")}}{{hostPort "/green/addr"}}{{else}}{{hostPort "/blue/addr"}}{{/if}};
}
`;

let etcd: EtcdServer;
let nginx: NginxServer;
let watcher: Watcher;
let host: UnitHost;
let units = '';
let blue = '';
let green = '';
let verifyUrl = '';

const systemctl = (verb: string, unit: string): Promise<string> => host.systemctl(verb, unit);

const bluegreen = (...args: string[]): Promise<CliResult> =>
  runCli(['bluegreen', ...args, '--app', 'web', '--node', etcd.endpoint, '--confdir', units], {
    env: host.env,
    timeoutMs: 90_000,
  });

const live = async (): Promise<string> => (await etcd.etcdctl('get', '--print-value-only', '/web/live')).trim();

/** What nginx serves right now: the first word of the body ("blue 1"). */
const served = async (): Promise<string> => (await nginx.fetch('/')).body.split(' ')[0] ?? '';

beforeAll(async () => {
  host = createUnitHost();
  units = host.dir;
  const [bluePort, greenPort] = await freePorts(2);
  blue = `127.0.0.1:${bluePort}`;
  green = `127.0.0.1:${greenPort}`;
  etcd = await startEtcd();
  for (const [k, v] of [['/web/live', 'blue'], ['/web/blue/addr', blue], ['/web/green/addr', green]] as const) await etcd.etcdctl('put', k, v);
  await systemctl('start', unitOf('blue', blue));
  const fragmentPath = join(units, 'upstream.conf');
  nginx = await startNginx({ fragmentPath, fragment: upstreamFragment(blue), readyBody: 'blue 1\n' });
  verifyUrl = `http://127.0.0.1:${nginx.port}/`;
  const conf = makeConfdir();
  conf.addResource({
    name: 'web',
    template: UPSTREAM,
    fields: { dest: fragmentPath, prefix: '/web', keys: ['/live', '/blue', '/green'], reload_cmd: nginx.reloadCmd },
  });
  watcher = startWatcher(['--confdir', conf.dir, '--backend', 'etcd', '--node', etcd.endpoint]);
  await watcher.waitFor(/ready; watching/);
});

afterAll(async () => {
  await watcher?.stop();
  await host?.stopAll();
  await nginx?.stop();
  await etcd?.stop();
});

describe('switchyard bluegreen against etcd, nginx and the example app', () => {
  it('status shows the live color, addresses, unit states and health', async () => {
    const r = await bluegreen('status', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { live: string; colors: { color: string; addr: string; unitState: string; health: { healthy: boolean } }[] };
    expect(report.live).toBe('blue');
    expect(report.colors).toMatchObject([
      { color: 'blue', addr: blue, unitState: 'active', health: { healthy: true } },
      { color: 'green', addr: green, unitState: 'inactive', health: { healthy: false } },
    ]);
    const text = await bluegreen('status');
    expect(text.stdout).toMatch(new RegExp(`green +${green} +${unitOf('green', green).replace('.', '\\.')} +inactive +unhealthy: .*ECONNREFUSED`));
  });

  it('switch refuses a color that is not healthy; traffic stays', async () => {
    const r = await bluegreen('switch', 'green', '--verify-url', verifyUrl);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('switch FAILED at health');
    expect(r.stdout).toContain('live is blue (unchanged)');
    expect(await live()).toBe('blue');
    expect(await served()).toBe('blue');
  });

  it('deploy that fails its health check leaves live and traffic on the old color', async () => {
    writeFileSync(join(units, 'green.unhealthy'), '');
    try {
      const r = await bluegreen('deploy', '--verify-url', verifyUrl, '--health-timeout', '5', '--drain', '0');
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(`-> systemctl start ${unitOf('green', green)}`);
      expect(r.stdout).toMatch(/deploy FAILED at health: web: health failed: green at http:\/\/.* not healthy after 5s: status 503/);
      expect(await live()).toBe('blue');
      expect(await served()).toBe('blue');
      expect(await systemctl('is-active', unitOf('blue', blue))).toBe('active');
    } finally {
      rmSync(join(units, 'green.unhealthy'), { force: true });
    }
  });

  it('deploy starts green, switches, verifies through nginx, drains and stops blue', async () => {
    const r = await bluegreen('deploy', '--verify-url', verifyUrl, '--drain', '0.5');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const steps = r.stdout.split('\n').filter((l) => l.startsWith('-> '));
    expect(steps).toEqual([
      '-> read /web/',
      `-> systemctl restart ${unitOf('green', green)}`,
      expect.stringMatching(/^-> wait until http:\/\/.*\/health is healthy/),
      '-> set /web/live = green',
      `-> wait until ${verifyUrl} serves green`,
      '-> drain blue for 0.5s',
      `-> systemctl stop ${unitOf('blue', blue)}`,
    ]);
    expect(await live()).toBe('green');
    expect(await served()).toBe('green');
    expect(await systemctl('is-active', unitOf('blue', blue))).toBe('inactive');
    expect((await etcd.etcdctl('get', '--print-value-only', '/web/previous')).trim()).toBe('blue');
  });

  it('rollback starts blue again, checks it and switches back', async () => {
    const r = await bluegreen('rollback', '--verify-url', verifyUrl);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`-> systemctl start ${unitOf('blue', blue)}`);
    expect(await live()).toBe('blue');
    expect(await served()).toBe('blue');
    expect(await systemctl('is-active', unitOf('green', green))).toBe('active');
  });

  it('toggle and switch move traffic when both colors are healthy', async () => {
    const t = await bluegreen('toggle', '--verify-url', verifyUrl, '--json');
    expect(t.code).toBe(0);
    expect(JSON.parse(t.stdout)).toMatchObject({ ok: true, from: 'blue', live: 'green' });
    expect(await served()).toBe('green');
    const s = await bluegreen('switch', 'blue', '--verify-url', verifyUrl);
    expect(s.code).toBe(0);
    expect(await served()).toBe('blue');
  });

  it('a switch the proxy does not follow is undone and reported', async () => {
    await watcher.stop();
    const r = await bluegreen('switch', 'green', '--verify-url', verifyUrl, '--verify-timeout', '2');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`switch FAILED at verify: web: verify failed: ${verifyUrl} did not serve green within 2s (last answer: blue)`);
    expect(r.stdout).toContain('live is blue (unchanged)');
    expect(await live()).toBe('blue');
    expect(existsSync(join(units, 'calls'))).toBe(true);
    expect(readFileSync(join(units, 'calls'), 'utf8')).not.toContain(`stop ${unitOf('green', green)}`);
  });
});
