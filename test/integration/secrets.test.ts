// An etcd password and a Consul token with quotes, backslashes and unicode,
// against a real etcd with auth and a real Consul with ACLs: every command
// and mode at --log-level debug, text and JSON logs, the status page,
// /metrics, --noop output and the environment of check and reload commands.
// Neither secret may appear anywhere, raw or in any escaping.
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startWatcher } from '../harness/cli.js';
import { makeConfdir } from '../harness/confdir.js';
import { startConsul, type ConsulServer } from '../harness/consul.js';
import { startEtcd, type EtcdServer } from '../harness/etcd.js';
import { freePort } from '../harness/ports.js';

/** Quotes, a backslash, a dollar, a blank and non-ASCII; the middle "KX92" catches partial leaks. */
const ETCD_PASSWORD = `pw"q\\b-KX92-ö€🔑'$ x`;
const CONSUL_TOKEN = `tok"q\\b-QW57-ü✓'$`;
const SECRET_NAMES = /^(SWITCHYARD_PASSWORD|SWITCHYARD_AUTH_TOKEN|CONSUL_HTTP_TOKEN)=/m;

/** Every spelling a secret could leak in. */
const spellings = (secret: string): string[] => {
  const json = JSON.stringify(secret).slice(1, -1);
  const ascii = json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const html = secret.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return [secret, json, JSON.stringify(json).slice(1, -1), ascii, encodeURIComponent(secret), encodeURI(secret), html];
};
const core = (secret: string): string => /-(\w{4})-/.exec(secret)![1]!;

const expectClean = (what: string, text: string, secrets: string[]): void => {
  for (const secret of secrets) {
    for (const form of spellings(secret)) expect(text.includes(form), `${what} holds ${JSON.stringify(form)}:\n${text.slice(0, 3000)}`).toBe(false);
    expect(text.includes(core(secret)), `${what} holds part of a secret:\n${text.slice(0, 3000)}`).toBe(false);
  }
};

const get = async (url: string): Promise<string> => (await fetch(url)).text();

/** A confdir with one resource that works and one whose check prints the secret and fails. */
const secretConfdir = (secret: string) => {
  const conf = makeConfdir();
  const out = join(conf.dir, 'out');
  mkdirSync(out);
  const leaky = join(conf.dir, 'leaky.txt');
  writeFileSync(leaky, `the secret is ${secret}\n`);
  conf.addResource({
    name: 'app',
    template: 'name={{getv "/app/name"}}\n',
    fields: {
      dest: join(out, 'app.conf'),
      keys: ['/app/name'],
      check_cmd: `env > ${join(conf.dir, 'check-env.txt')}`,
      reload_cmd: `env > ${join(conf.dir, 'reload-env.txt')}`,
    },
  });
  conf.addResource({
    name: 'leaky',
    template: 'name={{getv "/app/name"}}\n',
    fields: { dest: join(out, 'leaky.conf'), keys: ['/app/name'], check_cmd: `cat ${leaky} >&2; exit 1` },
  });
  const envDumps = (): string => ['check-env.txt', 'reload-env.txt'].map((f) => readFileSync(join(conf.dir, f), 'utf8')).join('\n');
  return { conf, out, envDumps };
};

describe('secrets with etcd auth', () => {
  let etcd: EtcdServer;
  const secrets = [ETCD_PASSWORD, CONSUL_TOKEN];
  const env = { SWITCHYARD_USERNAME: 'root', SWITCHYARD_PASSWORD: ETCD_PASSWORD, CONSUL_HTTP_TOKEN: CONSUL_TOKEN };
  beforeAll(async () => {
    etcd = await startEtcd({ auth: { password: ETCD_PASSWORD } });
    await etcd.etcdctl('put', '/app/name', 'one');
  });
  afterAll(async () => {
    await etcd?.stop();
  });

  it.each([['text'], ['json']])('run --onetime at debug with %s logs: commands run, nothing leaks', async (format) => {
    const { conf, envDumps } = secretConfdir(ETCD_PASSWORD);
    const r = await runCli(['--onetime', '--confdir', conf.dir, '--node', etcd.endpoint, '--log-level', 'debug', '--log-format', format], { env });
    const output = r.stdout + r.stderr;
    expect(r.code, output).toBe(1);
    expect(output).toMatch(/app\.toml.*updated|updated.*app\.toml/);
    expect(output).toMatch(/the secret is \*\*\*/);
    expectClean('the log', output, secrets);
    const dumps = envDumps();
    expect(dumps).toMatch(/^PATH=/m);
    expect(dumps).not.toMatch(SECRET_NAMES);
    expectClean('the environment of the commands', dumps, secrets);
  });

  it('--noop at debug prints the diff, no secret', async () => {
    const { conf } = secretConfdir(ETCD_PASSWORD);
    const r = await runCli(['--onetime', '--noop', '--confdir', conf.dir, '--node', etcd.endpoint, '--log-level', 'debug'], { env });
    expect(r.stdout + r.stderr).toMatch(/\+name=one/);
    expectClean('--noop output', r.stdout + r.stderr, secrets);
  });

  it('watch: log, status page, /metrics, /healthz and command environments stay clean across a change', async () => {
    const { conf, envDumps } = secretConfdir(ETCD_PASSWORD);
    const port = await freePort();
    const w = startWatcher(['--confdir', conf.dir, '--node', etcd.endpoint, '--log-level', 'debug', '--log-format', 'json', '--metrics-addr', `127.0.0.1:${port}`], { env });
    try {
      await w.waitFor(/ready; watching/, 40_000);
      await etcd.etcdctl('put', '/app/name', 'two');
      await w.waitFor(/"updated"[^\n]*app\.toml[\s\S]*"updated"[^\n]*app\.toml/, 30_000);
      const page = await get(`http://127.0.0.1:${port}/`);
      expect(page).toMatch(/leaky\.toml[\s\S]*<span class="stage">check<\/span>[^<]*the secret is \*\*\*/);
      const metrics = await get(`http://127.0.0.1:${port}/metrics`);
      expect(metrics).toMatch(/switchyard_failures_total\{stage="check"\} \d+/);
      const health = await get(`http://127.0.0.1:${port}/healthz`);
      for (const [what, text] of [['the status page', page], ['/metrics', metrics], ['/healthz', health], ['the environment of the commands', envDumps()]] as const) {
        expectClean(what, text, secrets);
      }
      expect(envDumps()).not.toMatch(SECRET_NAMES);
    } finally {
      expect(await w.stop()).toBe(0);
    }
    expectClean('the daemon log', w.output(), secrets);
  });

  it('a --node URL with the password in it is masked, percent-encoded or not', async () => {
    const { conf } = secretConfdir(ETCD_PASSWORD);
    const url = new URL(etcd.endpoint);
    const withCreds = `http://root:${encodeURIComponent(ETCD_PASSWORD)}@${url.host}`;
    const r = await runCli(['--onetime', '--confdir', conf.dir, '--node', withCreds, '--log-level', 'debug'], { env: { SWITCHYARD_USERNAME: 'root' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/root:\*\*\*@127\.0\.0\.1/);
    expectClean('the log', r.stdout + r.stderr, [ETCD_PASSWORD]);
  });

  it('a wrong password fails with the endpoint named and is not printed either', async () => {
    const { conf } = secretConfdir(ETCD_PASSWORD);
    const wrong = `${ETCD_PASSWORD.replace('KX92', 'ZZ18')}`;
    const r = await runCli(['--onetime', '--confdir', conf.dir, '--node', etcd.endpoint, '--log-level', 'debug', '--log-format', 'json'], {
      env: { SWITCHYARD_USERNAME: 'root', SWITCHYARD_PASSWORD: wrong },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(etcd.endpoint);
    expectClean('the log', r.stdout + r.stderr, [wrong, ETCD_PASSWORD]);
  });

  it('check, render with a broken data file, bluegreen status and check-fragment: nothing leaks', async () => {
    const { conf } = secretConfdir(ETCD_PASSWORD);
    const check = await runCli(['check', '--confdir', conf.dir], { env });
    expect(check.code).toBe(0);
    expectClean('check', check.stdout + check.stderr, secrets);

    const data = join(conf.dir, 'broken.yaml');
    writeFileSync(data, `app:\n  name: one\n  password: "${ETCD_PASSWORD.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}\n  other: [\n`);
    const render = await runCli(['render', join(conf.dir, 'templates', 'app.hbs'), '--data', data], { env });
    expect(render.code).toBe(2);
    expect(render.stderr).toMatch(/broken\.yaml.*line \d+, column \d+/);
    expectClean('render', render.stdout + render.stderr, secrets);

    await etcd.etcdctl('put', '/bluegreen/web/live', 'blue');
    const bluegreen = await runCli(['bluegreen', 'status', '--app', 'web', '--prefix', '/bluegreen', '--node', etcd.endpoint, '--log-level', 'debug'], { env });
    expect(bluegreen.stdout + bluegreen.stderr).toMatch(/blue/);
    expectClean('bluegreen status', bluegreen.stdout + bluegreen.stderr, secrets);

    // check-fragment runs the proxy's checker; a fake checker records the environment it gets.
    const fakeNginx = join(conf.dir, 'fake-nginx');
    const fragmentEnv = join(conf.dir, 'fragment-env.txt');
    writeFileSync(fakeNginx, `#!/bin/sh\nenv > ${fragmentEnv}\necho "nginx: configuration file test is successful"\n`);
    chmodSync(fakeNginx, 0o755);
    const main = join(conf.dir, 'nginx.conf');
    const staged = join(conf.dir, 'out', '.app.conf.stage');
    writeFileSync(staged, 'server {}\n');
    writeFileSync(main, `events {}\nhttp { include ${join(conf.dir, 'out', 'app.conf')}; }\n`);
    const fragment = await runCli(['check-fragment', 'nginx', '--config', main, '--staged', staged, '--dest', join(conf.dir, 'out', 'app.conf'), '--bin', fakeNginx], { env });
    expect(fragment.code, fragment.stderr).toBe(0);
    const seen = readFileSync(fragmentEnv, 'utf8');
    expect(seen).toMatch(/^PATH=/m);
    expect(seen).not.toMatch(SECRET_NAMES);
    expectClean('check-fragment and its checker environment', fragment.stdout + fragment.stderr + seen, secrets);
  });
});

describe('secrets with Consul ACLs', () => {
  const managementToken = randomUUID();
  let consul: ConsulServer;
  beforeAll(async () => {
    consul = await startConsul({ acl: { defaultPolicy: 'deny', managementToken } });
    await consul.kvPut('/app/name', 'one');
  });
  afterAll(async () => {
    await consul?.stop();
  });

  it('a working token (CONSUL_HTTP_TOKEN) never reaches the log, the status page or the commands', async () => {
    const { conf, envDumps } = secretConfdir(managementToken);
    const port = await freePort();
    const env = { CONSUL_HTTP_TOKEN: managementToken, SWITCHYARD_PASSWORD: ETCD_PASSWORD };
    const w = startWatcher(['--backend', 'consul', '--confdir', conf.dir, '--node', consul.address, '--log-level', 'debug', '--metrics-addr', `127.0.0.1:${port}`], { env });
    try {
      await w.waitFor(/ready; watching/, 40_000);
      const page = await get(`http://127.0.0.1:${port}/`);
      expect(page).toMatch(/the secret is \*\*\*/);
      const metrics = await get(`http://127.0.0.1:${port}/metrics`);
      const dumps = envDumps();
      expect(dumps).not.toMatch(SECRET_NAMES);
      for (const [what, text] of [['the status page', page], ['/metrics', metrics], ['the environment of the commands', dumps]] as const) {
        expect(text.includes(managementToken), what).toBe(false);
        expectClean(what, text, [ETCD_PASSWORD]);
      }
    } finally {
      expect(await w.stop()).toBe(0);
    }
    expect(w.output().includes(managementToken)).toBe(false);
    expectClean('the daemon log', w.output(), [ETCD_PASSWORD]);
  });

  it.each([['text'], ['json']])('a token with quotes, a backslash and unicode is refused and never printed (%s logs)', async (format) => {
    const { conf } = secretConfdir(CONSUL_TOKEN);
    const r = await runCli(['--onetime', '--backend', 'consul', '--confdir', conf.dir, '--node', consul.address, '--log-level', 'debug', '--log-format', format], {
      env: { SWITCHYARD_AUTH_TOKEN: CONSUL_TOKEN },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(consul.address);
    expectClean('the log', r.stdout + r.stderr, [CONSUL_TOKEN]);
  });
});
