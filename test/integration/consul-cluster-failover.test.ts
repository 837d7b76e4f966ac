// --node naming two agents of one Consul cluster (the client agent first, a
// server second): when the first goes away the daemon carries on through the
// second, whether the first refuses connections (killed) or hangs (SIGSTOP,
// connections accepted and never answered).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startWatcher, type Watcher } from '../harness/cli.js';
import { makeConfdir } from '../harness/confdir.js';
import { startConsulCluster, type ConsulCluster } from '../harness/consul-cluster.js';

let cluster: ConsulCluster;
let watcher: Watcher | undefined;

const read = (file: string): string => (existsSync(file) ? readFileSync(file, 'utf8') : '');

/** A daemon whose --node list is the client agent, then server s1. */
const startDaemon = (prefix: string) => {
  const conf = makeConfdir();
  const dest = join(conf.dir, 'live.out');
  conf.addResource({ name: 'live', template: 'live={{getv "/live" "none"}}\n', fields: { dest, prefix, keys: ['/live'] } });
  watcher = startWatcher(['--confdir', conf.dir, '--backend', 'consul', '--node', cluster.client.address, '--node', cluster.servers[1]!.address]);
  return dest;
};

beforeAll(async () => {
  cluster = await startConsulCluster();
}, 90_000);
afterEach(async () => {
  await watcher?.stop();
  watcher = undefined;
  cluster.client.resume();
  if (cluster.client.pid < 0) await cluster.client.restart();
});
afterAll(async () => {
  await cluster?.stop();
});

describe('--node with two agents of a Consul cluster', () => {
  it('moves to the second agent when the first is killed', async () => {
    const s1 = cluster.servers[1]!;
    await s1.kvPut('/fk/live', 'one');
    const dest = startDaemon('/fk');
    await eventually(() => read(dest) === 'live=one\n', `first render (dest: ${read(dest)})`, 30_000);

    await cluster.client.kill();
    await s1.kvPut('/fk/live', 'two');
    await eventually(() => read(dest) === 'live=two\n', `the write rendered through ${s1.name} (dest: ${read(dest)})`, 30_000);
    await s1.kvPut('/fk/live', 'three');
    await eventually(() => read(dest) === 'live=three\n', `the next write rendered too (dest: ${read(dest)})`, 30_000);
  });

  it('moves to the second agent within a few seconds when the first hangs (SIGSTOP)', async () => {
    const s1 = cluster.servers[1]!;
    await s1.kvPut('/hk/live', 'one');
    const dest = startDaemon('/hk');
    await eventually(() => read(dest) === 'live=one\n', `first render (dest: ${read(dest)})`, 30_000);
    // Let the daemon settle into its blocking query on the first agent.
    await new Promise((r) => setTimeout(r, 1_000));

    cluster.client.suspend();
    const started = Date.now();
    await s1.kvPut('/hk/live', 'two');
    // A hung agent must be given up within about a second or two; 5 s leaves room for a loaded machine.
    await eventually(() => read(dest) === 'live=two\n', `the write rendered through ${s1.name} while the first agent hangs (dest: ${read(dest)}; output: ${watcher?.output()})`, 5_000);
    const ms = Date.now() - started;
    console.log(`hung agent given up: the write was rendered through ${s1.name} after ${ms} ms`);

    cluster.client.resume();
    await s1.kvPut('/hk/live', 'three');
    await eventually(() => read(dest) === 'live=three\n', `the next write rendered once the first agent answers again (dest: ${read(dest)})`, 30_000);
  });
});
