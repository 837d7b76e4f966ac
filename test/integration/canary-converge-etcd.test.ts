// bluegreen canary --converge against a real etcd and reporting hosts: each
// step waits until every reporting host applied the new weights before its
// interval starts; a host that cannot apply them stops the canary at that
// step (weights back to 100/0, exit 1 naming the host and why).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NGINX_JSON_LOG_FORMAT } from '../../src/canary/metrics/nginx-log-format.js';
import { eventually, runCli, startWatcher, type CliResult, type Watcher } from '../harness/cli.js';
import { makeConfdir } from '../harness/confdir.js';
import { startEtcd, type EtcdServer } from '../harness/etcd.js';
import { startHttpApp, type HttpApp } from '../harness/http-app.js';
import { startNginx, upstreamFragment, type NginxServer } from '../harness/nginx.js';

const UPSTREAM = `upstream app {
{{#with (bluegreen "/")}}{{#each servers}}
    server {{addr}}{{#if weight}} weight={{weight}}{{else}} down{{/if}};
{{/each}}{{/with}}
}
`;
const FLEET = '/cc-fleet';

let dir: string;
let etcd: EtcdServer;
let nginx: NginxServer;
let blue: HttpApp;
let green: HttpApp;
let log: string;
const hosts: Watcher[] = [];

/** A reporting host rendering the upstream; the first one feeds the nginx the traffic goes through. */
const startHost = async (host: string, fields: Record<string, string>): Promise<{ dest: string; watcher: Watcher }> => {
  const conf = makeConfdir();
  const dest = fields['dest'] ?? join(conf.dir, 'upstream.conf');
  conf.addResource({ name: 'web', template: UPSTREAM, fields: { dest, prefix: '/web', keys: ['/'], ...fields } });
  const watcher = startWatcher(['--confdir', conf.dir, '--backend', 'etcd', '--node', etcd.endpoint, '--report', '--host-id', host, '--report-prefix', FLEET]);
  hosts.push(watcher);
  await watcher.waitFor(/ready; watching/);
  return { dest, watcher };
};

const reporting = async (): Promise<number> =>
  (await etcd.etcdctl('get', `${FLEET}/hosts/`, '--prefix', '--keys-only')).split('\n').filter(Boolean).length;

const get = async (key: string): Promise<string | undefined> => {
  const out = await etcd.etcdctl('get', key, '--print-value-only');
  return out === '' ? undefined : out.replace(/\n$/, '');
};
const weights = async (): Promise<string> => `${await get('/web/weight/blue')}/${await get('/web/weight/green')}`;

/** A canary with requests flowing through nginx while it runs. */
const canaryUnderTraffic = async (...extra: string[]): Promise<CliResult> => {
  let flowing = true;
  const traffic = (async () => {
    while (flowing) await nginx.fetch('/').catch(() => undefined);
  })();
  try {
    return await runCli(
      [
        'bluegreen', 'canary', '--app', 'web', '--node', etcd.endpoint, '--report-prefix', FLEET,
        '--metrics', `nginx-log:${log}`, '--max-error-rate', '1', '--min-requests', '5', '--interval', '1s', ...extra,
      ],
      { timeoutMs: 90_000 },
    );
  } finally {
    flowing = false;
    await traffic;
  }
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-canary-converge-'));
  log = join(dir, 'access.json.log');
  [blue, green] = await Promise.all([startHttpApp('blue'), startHttpApp('green')]);
  etcd = await startEtcd();
  for (const [k, v] of [['/web/live', 'blue'], ['/web/blue/addr', blue.addr], ['/web/green/addr', green.addr]] as const) await etcd.etcdctl('put', k, v);
  const fragmentPath = join(dir, 'upstream.conf');
  nginx = await startNginx({
    fragmentPath,
    fragment: upstreamFragment(blue.addr),
    readyBody: 'blue',
    accessLog: `${NGINX_JSON_LOG_FORMAT}\n    access_log ${log} switchyard_json;`,
  });
  await startHost('h1', { dest: fragmentPath, reload_cmd: nginx.reloadCmd });
  await startHost('h2', {});
  await eventually(async () => (await reporting()) === 2, 'two hosts report', 20_000);
  await nginx.fetch('/'); // the log has a line before the source opens it
});

afterAll(async () => {
  for (const w of hosts.splice(0)) await w.stop();
  await nginx?.stop();
  await etcd?.stop();
  await Promise.all([blue?.stop(), green?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('bluegreen canary --converge with reporting hosts', () => {
  it('each step waits until every reporting host applied the weights, then measures; promotes', async () => {
    const r = await canaryUnderTraffic('--steps', '50,100', '--converge', 'all');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const out = r.stdout + r.stderr;
    // Both steps waited on the fleet, before their interval.
    expect(out.match(/2\/2 hosts applied revision \d+/g)).toHaveLength(2);
    expect(out.indexOf('2/2 hosts applied')).toBeLessThan(out.indexOf('step 1/2 (blue 50, green 50): green'));
    expect(await get('/web/live')).toBe('green');
    expect(await weights()).toBe('undefined/undefined');
  });

  it('a host that cannot apply a step stops the canary there: weights back to 100/0, exit 1 naming the host and why', async () => {
    // Green is live after the promotion; this canary moves toward blue. h3's
    // check refuses any upstream that gives blue a weight of 50.
    const h3 = await startHost('h3', { check_cmd: `sh -c "! grep -q 'weight=50' {{src}}"` });
    await eventually(async () => (await reporting()) === 3, 'three hosts report', 20_000);
    expect(readFileSync(h3.dest, 'utf8')).toMatch(/down;/);

    const r = await canaryUnderTraffic('--steps', '50,100', '--converge', 'all', '--converge-timeout', '5s');
    expect(r.code).toBe(1);
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/not converged: h3: web\.toml: check failed/);
    expect(out).not.toMatch(/step 1\/2 \(blue 50, green 50\): blue \d+ requests/);
    expect(await weights()).toBe('0/100');
    expect(await get('/web/live')).toBe('green');
    expect(await get('/web/canary')).toBeUndefined();
  });
});
