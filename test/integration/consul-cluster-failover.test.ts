// --node naming two agents of one Consul cluster (the client agent first, a
// server that does not lead second): when the agent in use goes away the
// daemon carries on through the other, whether it refuses connections
// (killed) or hangs (SIGSTOP: connections accepted, nothing answered).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startWatcher, type Watcher } from '../harness/cli.js';
import { makeConfdir } from '../harness/confdir.js';
import { startConsulCluster, type ConsulAgent, type ConsulCluster } from '../harness/consul-cluster.js';
import { freePort } from '../harness/ports.js';

let cluster: ConsulCluster;
/** The daemon's second --node: a server that does not lead, so freezing it keeps the quorum. */
let second: ConsulAgent;
/** Where the test writes: a server that is never frozen or killed here. */
let writer: ConsulAgent;
let watcher: Watcher | undefined;

const read = (file: string): string => (existsSync(file) ? readFileSync(file, 'utf8') : '');

/** A daemon whose --node list is the client agent, then the second agent. */
const startDaemon = (prefix: string, extra: string[] = []) => {
  const conf = makeConfdir();
  const dest = join(conf.dir, 'live.out');
  conf.addResource({ name: 'live', template: 'live={{getv "/live" "none"}}\n', fields: { dest, prefix, keys: ['/live'] } });
  watcher = startWatcher(['--confdir', conf.dir, '--backend', 'consul', '--node', cluster.client.address, '--node', second.address, ...extra]);
  return dest;
};

beforeAll(async () => {
  cluster = await startConsulCluster();
  second = await cluster.follower();
  writer = cluster.servers.find((s) => s !== second)!;
}, 90_000);
afterEach(async () => {
  await watcher?.stop();
  watcher = undefined;
  for (const agent of [cluster.client, second]) {
    agent.resume();
    if (agent.pid < 0) await agent.restart();
  }
});
afterAll(async () => {
  await cluster?.stop();
});

describe('--node with two agents of a Consul cluster', () => {
  it('moves to the second agent when the first is killed', async () => {
    await writer.kvPut('/fk/live', 'one');
    const dest = startDaemon('/fk');
    await eventually(() => read(dest) === 'live=one\n', `first render (dest: ${read(dest)})`, 30_000);

    await cluster.client.kill();
    await writer.kvPut('/fk/live', 'two');
    await eventually(() => read(dest) === 'live=two\n', `the write rendered through ${second.name} (dest: ${read(dest)})`, 30_000);
    await writer.kvPut('/fk/live', 'three');
    await eventually(() => read(dest) === 'live=three\n', `the next write rendered too (dest: ${read(dest)})`, 30_000);
  });

  it('moves to the server within a few seconds when the client agent it uses hangs (SIGSTOP)', async () => {
    await writer.kvPut('/hk/live', 'one');
    const port = await freePort();
    const dest = startDaemon('/hk', ['--metrics-addr', `127.0.0.1:${port}`]);
    await eventually(() => read(dest) === 'live=one\n', `first render (dest: ${read(dest)})`, 30_000);
    const metrics = async (): Promise<string> => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    /** The agent the daemon's blocking queries are on. */
    const inUse = async (): Promise<string | undefined> => /switchyard_store_endpoint_preferred\{endpoint="([^"]+)"\} 1/.exec(await metrics())?.[1];
    const up = async (agent: ConsulAgent): Promise<boolean> => (await metrics()).includes(`switchyard_store_endpoint_up{endpoint="${agent.address}"} 1`);

    // Reads are hedged: the daemon may have settled on the server, which
    // answers without forwarding. Killing it moves the daemon to the client
    // agent (freezing it would stall the client agent's own calls to it too).
    if ((await inUse()) === second.address) {
      console.log(`the daemon settled on ${second.name}: killing it to move the daemon to the client agent`);
      await second.kill();
      await eventually(async () => (await inUse()) === cluster.client.address, 'the daemon on the client agent once the server is killed', 10_000);
      await second.restart();
      await eventually(() => up(second), `${second.name} found answering again`, 30_000);
    }
    expect(await inUse()).toBe(cluster.client.address);

    cluster.client.suspend();
    await writer.kvPut('/hk/live', 'two');
    const started = Date.now();
    // A hung agent must be given up within about a second or two (measured here: 0.8-1.0 s under load 20):
    // without its own check the daemon only notices when some other read happens to find it silent.
    await eventually(() => read(dest) === 'live=two\n', `the write rendered while the client agent hangs (dest: ${read(dest)}; output: ${watcher?.output()})`, 2_500);
    console.log(`the client agent hung: the write was rendered through ${second.name} after ${Date.now() - started} ms`);
    expect(await inUse()).toBe(second.address);

    cluster.client.resume();
    await eventually(() => up(cluster.client), 'the client agent found answering again', 30_000);
    await writer.kvPut('/hk/live', 'three');
    await eventually(() => read(dest) === 'live=three\n', `the next write rendered (dest: ${read(dest)})`, 30_000);
  });
});
