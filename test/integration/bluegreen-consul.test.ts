// Blue/green keys in Consul KV (with ACLs on): the same CLI reads and
// writes through the Consul backend, with --auth-token, against the example
// app running as real processes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUnitHost, unitOf, type UnitHost } from '../harness/bluegreen-host.js';
import { runCli, type CliResult } from '../harness/cli.js';
import { kvPath, startConsul, type ConsulServer } from '../harness/consul.js';
import { freePorts } from '../harness/ports.js';

const TOKEN = 'b1a5e6c2-0c1d-4d7e-9a51-7a3b2c1d0e9f';
let consul: ConsulServer;
let host: UnitHost;
let blue = '';
let green = '';

const bluegreen = (args: string[], token = TOKEN): Promise<CliResult> =>
  runCli(['bluegreen', ...args, '--app', 'web', '--prefix', '/sites', '--backend', 'consul', '--node', consul.address, '--confdir', host.dir, '--auth-token', token], {
    env: { ...host.env, CONSUL_HTTP_TOKEN: '' },
    timeoutMs: 90_000,
  });

const kvGet = async (key: string): Promise<string | undefined> => {
  const res = await consul.http('GET', `${kvPath(key)}?raw`);
  return res.status === 200 ? res.body : undefined;
};

beforeAll(async () => {
  host = createUnitHost();
  const [bluePort, greenPort] = await freePorts(2);
  blue = `127.0.0.1:${bluePort}`;
  green = `127.0.0.1:${greenPort}`;
  consul = await startConsul({ acl: { defaultPolicy: 'deny', managementToken: TOKEN } });
  for (const [k, v] of [['/sites/web/live', 'blue'], ['/sites/web/blue/addr', blue], ['/sites/web/green/addr', green], ['/sites/web/health', '/health']] as const) {
    await consul.kvPut(k, v);
  }
  await host.systemctl('start', unitOf('blue', blue));
  await host.systemctl('start', unitOf('green', green));
});

afterAll(async () => {
  await host?.stopAll();
  await consul?.stop();
});

describe('switchyard bluegreen with Consul', () => {
  it('a token that may only read: status works, switch fails at the write, live unchanged', async () => {
    const reader = await consul.createToken('key_prefix "sites/" { policy = "read" }');
    expect((await bluegreen(['status'], reader)).code).toBe(0);
    const r = await bluegreen(['switch', 'green'], reader);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/switch FAILED at switch: web: switch failed: writing \/sites\/web\/live: .*(403|Permission denied)/i);
    expect(r.stdout).toContain('live is blue (unchanged)');
    expect(await kvGet('/sites/web/live')).toBe('blue');
  });

  it('status, switch and rollback through the Consul backend', async () => {
    const status = await bluegreen(['status', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ live: 'blue', colors: [{ health: { healthy: true } }, { health: { healthy: true } }] });

    const sw = await bluegreen(['switch', 'green']);
    expect(sw.code).toBe(0);
    expect(await kvGet('/sites/web/live')).toBe('green');
    expect(await kvGet('/sites/web/previous')).toBe('blue');

    const back = await bluegreen(['rollback']);
    expect(back.code).toBe(0);
    expect(back.stdout).toContain(`${unitOf('blue', blue)} is already active`);
    expect(await kvGet('/sites/web/live')).toBe('blue');
  });
});
