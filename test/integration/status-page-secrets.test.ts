// The status page never shows a secret: a check command that prints the etcd
// password makes it part of the error the page reports, and every view of
// it (/, /status.json, /events) masks it.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWatcher, type Watcher } from '../harness/cli.js';
import { makeConfdir } from '../harness/confdir.js';
import { startEtcd, type EtcdServer } from '../harness/etcd.js';
import { freePort } from '../harness/ports.js';

const PASSWORD = 'status-page-secret-pw';
let etcd: EtcdServer;
let watcher: Watcher;
let base: string;

beforeAll(async () => {
  etcd = await startEtcd({ auth: { password: PASSWORD } });
  await etcd.etcdctl('put', '/s/name', 'x');
  const conf = makeConfdir();
  conf.addResource({
    name: 'leaky',
    template: 'name {{getv "/name"}};\n',
    fields: { dest: join(conf.dir, 'leaky.conf'), prefix: '/s', keys: ['/name'], check_cmd: `sh -c "echo password is ${PASSWORD} >&2; exit 1"` },
  });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  watcher = startWatcher([
    '--confdir', conf.dir, '--backend', 'etcd', '--node', etcd.endpoint,
    '--username', 'root', '--password', PASSWORD, '--metrics-addr', `127.0.0.1:${port}`,
  ]);
  await watcher.waitFor(/ready; watching/);
});

afterAll(async () => {
  await watcher?.stop();
  await etcd?.stop();
});

const firstEvent = async (): Promise<string> => {
  const controller = new AbortController();
  const res = await fetch(`${base}/events`, { signal: controller.signal });
  const reader = res.body!.getReader();
  let text = '';
  while (!text.includes('</main>')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  controller.abort();
  return text;
};

describe('status page secrets', () => {
  it('masks the password in the page, the JSON and the events', async () => {
    const page = await (await fetch(`${base}/`)).text();
    const json = await (await fetch(`${base}/status.json`)).text();
    const events = await firstEvent();
    for (const body of [page, json, events]) {
      expect(body).toContain('password is ***');
      expect(body).not.toContain(PASSWORD);
    }
  });
});
