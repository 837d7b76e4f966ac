// bluegreen canary --converge against a real etcd and reporting hosts: each
// step waits until every reporting host applied the new weights before its
// interval starts; a host that cannot apply them stops the canary at that
// step (weights back to 100/0, exit 1 naming the host and why).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANARY_UPSTREAM, startCanaryRig, type CanaryRig } from '../harness/canary-rig.js';
import { eventually, runCli, startWatcher, type CliResult, type Watcher } from '../harness/cli.js';
import { makeConfdir } from '../harness/confdir.js';
import type { EtcdServer } from '../harness/etcd.js';
import type { NginxServer } from '../harness/nginx.js';

const FLEET = '/cc-fleet';

let rig: CanaryRig;
let etcd: EtcdServer;
let nginx: NginxServer;
const hosts: Watcher[] = [];

/** A reporting host rendering the upstream; the first one feeds the nginx the traffic goes through. */
const startHost = async (host: string, fields: Record<string, string>): Promise<{ dest: string; watcher: Watcher }> => {
  const conf = makeConfdir();
  const dest = fields['dest'] ?? join(conf.dir, 'upstream.conf');
  conf.addResource({ name: 'web', template: CANARY_UPSTREAM, fields: { dest, prefix: '/web', keys: ['/'], ...fields } });
  const watcher = startWatcher(['--confdir', conf.dir, '--backend', 'etcd', '--node', etcd.endpoint, '--report', '--host-id', host, '--report-prefix', FLEET]);
  hosts.push(watcher);
  await watcher.waitFor(/ready; watching/);
  return { dest, watcher };
};

const reporting = async (): Promise<number> =>
  (await etcd.etcdctl('get', `${FLEET}/hosts/`, '--prefix', '--keys-only')).split('\n').filter(Boolean).length;

const get = (key: string): Promise<string | undefined> => rig.get(key);
const weights = (): Promise<string> => rig.weights();

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
        '--metrics', `nginx-log:${rig.log}`, '--max-error-rate', '1', '--min-requests', '5', '--interval', '1s', ...extra,
      ],
      { timeoutMs: 90_000 },
    );
  } finally {
    flowing = false;
    await traffic;
  }
};

beforeAll(async () => {
  rig = await startCanaryRig('canary-converge');
  ({ etcd, nginx } = rig);
  await startHost('h1', { dest: rig.fragmentPath, reload_cmd: nginx.reloadCmd });
  await startHost('h2', {});
  await eventually(async () => (await reporting()) === 2, 'two hosts report', 20_000);
  await nginx.fetch('/'); // the log has a line before the source opens it
});

afterAll(async () => {
  for (const w of hosts.splice(0)) await w.stop();
  await rig?.stop();
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
