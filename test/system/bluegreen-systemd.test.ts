// The blue/green scenario end to end, inside a Debian container with systemd
// as PID 1: Debian's etcd, nginx and HAProxy units, the repository's
// switchyard.service, blue@.service and green@.service, and the example
// resources. `switchyard bluegreen deploy` and `rollback` drive real
// systemctl while wrk loads the proxy; not one request may fail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { failedRequests, type WrkResult } from '../../bench/lib/wrk.js';
import { bootContainer, repoRoot, type Container } from '../harness/nspawn.js';

const EXAMPLE = '/opt/switchyard/examples/blue-green';
const URL = 'http://127.0.0.1:80/';
const BLUEGREEN = ['switchyard', 'bluegreen', '--app', 'web', '--verify-url', URL, '--drain', '2'];

const SETUP = `
set -e
ln -sf /opt/switchyard/bin/switchyard /usr/local/bin/switchyard
cp /opt/switchyard/systemd/switchyard.service /opt/switchyard/systemd/blue@.service /opt/switchyard/systemd/green@.service /etc/systemd/system/
systemctl daemon-reload
systemctl start etcd
etcdctl put /web/blue/addr 127.0.0.1:9001 >/dev/null
etcdctl put /web/green/addr 127.0.0.1:9002 >/dev/null
etcdctl put /web/live blue >/dev/null
systemctl start blue@9001
mkdir -p /etc/switchyard/conf.d /etc/switchyard/templates
`;

// Renders once without checks (the proxy is not running yet), starts the proxy, then the daemon.
const installProxy = (proxy: 'nginx' | 'haproxy'): string => `
set -e
systemctl stop switchyard nginx haproxy
rm -f /etc/switchyard/conf.d/* /etc/switchyard/templates/*
${
  proxy === 'nginx'
    ? `rm -f /etc/nginx/sites-enabled/default
cp ${EXAMPLE}/nginx/web.toml /etc/switchyard/conf.d/web.toml
cp ${EXAMPLE}/nginx/web.conf.hbs /etc/switchyard/templates/`
    : `mkdir -p /etc/haproxy/conf.d
cp ${EXAMPLE}/haproxy/haproxy.cfg /etc/haproxy/haproxy.cfg
cp ${EXAMPLE}/haproxy/haproxy.default /etc/default/haproxy
cp ${EXAMPLE}/haproxy/web.toml /etc/switchyard/conf.d/web.toml
cp ${EXAMPLE}/haproxy/web.cfg.hbs /etc/switchyard/templates/`
}
switchyard --onetime --sync-only --confdir /etc/switchyard
systemctl start ${proxy}
systemctl start switchyard
`;

const parseWrk = (output: string): WrkResult => {
  const line = output.split('\n').find((l) => l.startsWith('WRK_RESULT '));
  if (!line) throw new Error(`wrk printed no totals:\n${output}`);
  return JSON.parse(line.slice('WRK_RESULT '.length)) as WrkResult;
};

describe('blue/green deploy and rollback with systemd, etcd and a real proxy', () => {
  let box: Container;

  beforeAll(async () => {
    if (!existsSync(join(repoRoot, 'dist/bundle/switchyard.js'))) {
      throw new Error('dist/bundle/switchyard.js is missing: run `npm run build` first (`npm run test:system` does)');
    }
    box = await bootContainer();
    await box.sh(SETUP);
  });

  afterAll(async () => {
    await box?.stop();
  });

  const value = async (key: string): Promise<string> => (await box.run(['etcdctl', 'get', '--print-value-only', key])).trim();
  const unitState = async (unit: string): Promise<string> => (await box.exec(['systemctl', 'is-active', unit])).stdout.trim();

  const bluegreen = async (operation: string): Promise<string> => {
    const result = await box.exec([...BLUEGREEN.slice(0, 2), operation, ...BLUEGREEN.slice(2)], { timeoutMs: 120_000 });
    if (result.exitCode !== 0) {
      const journal = await box.journal('switchyard.service', 60);
      throw new Error(`bluegreen ${operation} exited ${result.exitCode}\n${result.stdout}\n${result.stderr}\n${journal}`);
    }
    return result.stdout;
  };

  // wrk runs inside until told to stop; its PID file lets us stop exactly it.
  const underLoad = async (close: boolean, work: () => Promise<void>): Promise<WrkResult> => {
    const load = box.exec(
      ['/bin/sh', '-c', `echo $$ > /run/load.pid; exec wrk -t1 -c8 -d120s --timeout 5s -s /opt/switchyard/bench/count.lua ${URL}`],
      { env: { WRK_CLOSE: close ? '1' : '0' }, timeoutMs: 180_000 },
    );
    try {
      await box.sh('for i in $(seq 50); do [ -s /run/load.pid ] && exit 0; sleep 0.1; done; exit 1');
      await work();
    } finally {
      await box.exec(['/bin/sh', '-c', 'kill -INT "$(cat /run/load.pid)"; rm -f /run/load.pid']);
    }
    const result = await load;
    return parseWrk(result.stdout + result.stderr);
  };

  const deployAndRollBack = async (): Promise<void> => {
    expect(await value('/web/live')).toBe('blue');
    expect(await bluegreen('deploy')).toContain('deploy ok: green is live');
    expect(await value('/web/live')).toBe('green');
    expect(await unitState('green@9002.service')).toBe('active');
    expect(await unitState('blue@9001.service')).toBe('inactive');
    expect(await bluegreen('rollback')).toContain('rollback ok: blue is live');
    expect(await value('/web/live')).toBe('blue');
    expect(await unitState('blue@9001.service')).toBe('active');
  };

  const expectLossless = (totals: WrkResult): void => {
    console.info(`wrk totals: ${JSON.stringify(totals)}`);
    expect(totals.requests).toBeGreaterThan(200);
    expect({ failed: failedRequests(totals), ...totals }).toMatchObject({ failed: 0, non2xx: 0 });
    // Both colors answered: the switches happened while the load ran.
    expect(totals.blue).toBeGreaterThan(0);
    expect(totals.green).toBeGreaterThan(0);
    // Every answer named a color: a 200 from a default or error page is a lost request too.
    expect(totals.blue + totals.green).toBe(totals.requests);
  };

  it('nginx: switchyard.service renders the live color', async () => {
    await box.sh(installProxy('nginx'));
    await box.sh(`for i in $(seq 100); do [ "$(curl -s ${URL})" = "blue 1" ] && exit 0; sleep 0.2; done; exit 1`);
    expect(await unitState('switchyard.service')).toBe('active');
    // Blue is live and no weights are set: blue weighs 100, green is taken out.
    const conf = await box.run(['cat', '/etc/nginx/conf.d/web.conf']);
    expect(conf).toContain('server 127.0.0.1:9001 weight=100;');
    expect(conf).toContain('server 127.0.0.1:9002 down;');
  });

  it('nginx: deploy and rollback lose no request (a new connection per request)', async () => {
    const totals = await underLoad(true, deployAndRollBack);
    expectLossless(totals);
  });

  it('HAProxy: deploy and rollback lose no request (keep-alive)', async () => {
    await box.run(['systemctl', 'stop', 'green@9002']);
    await box.sh(installProxy('haproxy'));
    await box.sh(`for i in $(seq 100); do [ "$(curl -s ${URL})" = "blue 1" ] && exit 0; sleep 0.2; done; exit 1`);
    const totals = await underLoad(false, deployAndRollBack);
    expectLossless(totals);
  });
});
