// The CLI against a real Consul agent: a template that reads KV keys and the
// catalog (`service`), rendered once and then followed in watch mode; the ACL
// token from CONSUL_HTTP_TOKEN.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, runCli, startWatcher, type Watcher } from '../harness/cli.js';
import { makeConfdir, type Confdir } from '../harness/confdir.js';
import { startConsul, type ConsulServer } from '../harness/consul.js';

const TEMPLATE = [
  'live={{getv "/live"}}',
  '{{#each (service "web")}}',
  'server {{safeToken id}} {{safeHostPort address port}}{{#if (eq meta.version (getv "/live"))}} live{{/if}}',
  '{{/each}}',
  '',
].join('\n');

const read = (file: string): string => (existsSync(file) ? readFileSync(file, 'utf8') : '');

const webResource = (conf: Confdir): string => {
  const dest = join(conf.dir, 'web.out');
  conf.addResource({ name: 'web', template: TEMPLATE, fields: { dest, prefix: '/app', keys: ['/live'] } });
  return dest;
};

describe('switchyard with the consul backend', () => {
  let consul: ConsulServer;
  let watcher: Watcher | undefined;

  beforeAll(async () => {
    consul = await startConsul();
    await consul.kvPut('/app/live', 'A');
    await consul.registerService({ id: 'web-a', name: 'web', address: '127.0.0.1', port: 9001, meta: { version: 'A' }, ttlCheck: true });
    await consul.registerService({ id: 'web-b', name: 'web', address: '127.0.0.2', port: 9002, meta: { version: 'B' }, ttlCheck: true });
  });
  afterEach(async () => {
    await watcher?.stop();
    watcher = undefined;
  });
  afterAll(async () => {
    await consul?.stop();
  });

  it('--onetime renders KV keys and healthy catalog instances', async () => {
    const conf = makeConfdir();
    const dest = webResource(conf);
    const r = await runCli(['--confdir', conf.dir, '--backend', 'consul', '--node', consul.address, '--onetime']);
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.code).toBe(0);
    expect(read(dest)).toBe('live=A\nserver web-a 127.0.0.1:9001 live\nserver web-b 127.0.0.2:9002\n');
  });

  it('watch mode follows KV writes, registrations and health checks', async () => {
    const conf = makeConfdir();
    const dest = webResource(conf);
    watcher = startWatcher(['--confdir', conf.dir, '--backend', 'consul', '--node', consul.address, '--log-level', 'debug']);
    await eventually(() => read(dest).startsWith('live=A\n'), `first render (output: ${watcher?.output()})`, 30_000);

    await consul.kvPut('/app/live', 'B');
    await eventually(() => read(dest) === 'live=B\nserver web-a 127.0.0.1:9001\nserver web-b 127.0.0.2:9002 live\n', `switch to B (dest: ${read(dest)})`);

    await consul.registerService({ id: 'web-c', name: 'web', address: '127.0.0.3', port: 9003, meta: { version: 'B' }, ttlCheck: true });
    await eventually(() => read(dest).includes('server web-c 127.0.0.3:9003 live\n'), `web-c added (dest: ${read(dest)})`);

    await consul.setCheck('web-a', 'critical');
    await eventually(() => !read(dest).includes('web-a'), `web-a removed while critical (dest: ${read(dest)})`);
    await consul.setCheck('web-a', 'passing');
    await eventually(() => read(dest).includes('server web-a 127.0.0.1:9001\n'), `web-a back (dest: ${read(dest)})`);

    await consul.deregisterService('web-c');
    await eventually(() => !read(dest).includes('web-c'), `web-c gone (dest: ${read(dest)})`);
    expect(await watcher.stop()).toBe(0);
  });

  it('names a value that is not UTF-8 in a warning, once, in --onetime and in watch mode', async () => {
    const conf = makeConfdir();
    const dest = join(conf.dir, 'raw.out');
    conf.addResource({ name: 'raw', template: 'a={{getv "/a"}} b={{getv "/b"}}\n', fields: { dest, prefix: '/raw', keys: ['/'] } });
    await consul.kvPut('/raw/a', Buffer.from([0x78, 0xff, 0x79]));
    await consul.kvPut('/raw/b', 'ok');
    const args = ['--confdir', conf.dir, '--backend', 'consul', '--node', consul.address];
    const r = await runCli([...args, '--onetime']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/WARN +value is not valid UTF-8; its bad bytes render as U\+FFFD key=\/raw\/a/);
    expect(r.stderr.match(/not valid UTF-8/g)).toHaveLength(1);
    expect(read(dest)).toBe('a=x\uFFFDy b=ok\n');

    watcher = startWatcher(args);
    await watcher.waitFor(/ready; watching/, 30_000);
    await consul.kvPut('/raw/b', Buffer.from([0x7a, 0xc3]));
    await eventually(() => read(dest) === 'a=x\uFFFDy b=z\uFFFD\n', `the bad bytes of b rendered (dest: ${read(dest)})`);
    await watcher.waitFor(/value is not valid UTF-8; its bad bytes render as U\+FFFD key=\/raw\/b/);
    expect(watcher.count(/key=\/raw\/a/)).toBe(1);
    expect(await watcher.stop()).toBe(0);
  });

  it('renders an empty service with {{else}}, and follows the agent through a restart', async () => {
    const conf = makeConfdir();
    const dest = join(conf.dir, 'api.out');
    conf.addResource({
      name: 'api',
      template: '{{#each (service "api")}}server {{safeHostPort address port}}\n{{else}}# no api instance\n{{/each}}mode={{getv "/mode" "none"}}\n',
      fields: { dest, prefix: '/api', keys: ['/mode'] },
    });
    watcher = startWatcher(['--confdir', conf.dir, '--backend', 'consul', '--node', consul.address]);
    await eventually(() => read(dest) === '# no api instance\nmode=none\n', `empty service rendered (dest: ${read(dest)})`, 30_000);
    await consul.registerService({ id: 'api-1', name: 'api', address: '127.0.0.9', port: 7001, ttlCheck: true });
    await eventually(() => read(dest) === 'server 127.0.0.9:7001\nmode=none\n', `api-1 rendered (dest: ${read(dest)})`);

    // -dev keeps everything in memory: after the restart the catalog and KV are empty again.
    await consul.restart({ downMs: 1000 });
    await consul.kvPut('/api/mode', 'after-restart');
    await eventually(() => read(dest) === '# no api instance\nmode=after-restart\n', `change after restart applied (dest: ${read(dest)})`, 45_000);
    await consul.registerService({ id: 'api-2', name: 'api', address: '127.0.0.10', port: 7002, ttlCheck: true });
    await eventually(() => read(dest) === 'server 127.0.0.10:7002\nmode=after-restart\n', `registration after restart applied (dest: ${read(dest)})`, 45_000);
    expect(await watcher.stop()).toBe(0);
  });
});

describe('switchyard with a Consul that denies by default', () => {
  const managementToken = randomUUID();
  let consul: ConsulServer;

  beforeAll(async () => {
    consul = await startConsul({ acl: { defaultPolicy: 'deny', managementToken } });
    await consul.kvPut('/app/live', 'A');
  });
  afterAll(async () => {
    await consul?.stop();
  });

  it('fails naming the key without a token, and renders with CONSUL_HTTP_TOKEN without printing it', async () => {
    const conf = makeConfdir();
    const dest = join(conf.dir, 'live.out');
    // A reload command that prints the token (read from a file: commands do not
    // inherit CONSUL_HTTP_TOKEN): the debug log shows its output, masked.
    const printed = join(conf.dir, 'printed.txt');
    const reload = `cat ${printed}`;
    conf.addResource({ name: 'live', template: 'live={{getv "/live"}}\n', fields: { dest, prefix: '/app', keys: ['/live'], reload_cmd: reload } });
    const args = ['--confdir', conf.dir, '--backend', 'consul', '--node', consul.address, '--onetime', '--log-level', 'debug'];

    const denied = await runCli(args, { env: { CONSUL_HTTP_TOKEN: '' } });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/permission denied reading key "app\/live" \(the token needs key:read on it/);

    const token = await consul.createToken('key_prefix "app/" { policy = "read" }');
    writeFileSync(printed, `reload with ${token}\n`);
    const ok = await runCli(args, { env: { CONSUL_HTTP_TOKEN: token } });
    expect(ok.code, ok.stderr).toBe(0);
    expect(read(dest)).toBe('live=A\n');
    expect(ok.stderr).toContain('reload with ***');
    expect(ok.stdout + ok.stderr).not.toContain(token);
  });
});
