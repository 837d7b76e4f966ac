// switchyard against a real Consul cluster (3 servers, one client agent the
// daemon talks to, as production hosts do): the leader server killed, the
// client agent restarted, and --report's session-held entry through both.
// One cluster serves every test; each leaves every agent running again.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startWatcher, type Watcher } from '../harness/cli.js';
import { makeConfdir } from '../harness/confdir.js';
import { startConsulCluster, type ConsulAgent, type ConsulCluster } from '../harness/consul-cluster.js';
import { kvPath } from '../harness/consul.js';
import { pidAlive } from '../harness/processes.js';
import { sleep } from '../harness/wait.js';

let cluster: ConsulCluster;
/** Set by the last test, which stops the cluster itself. */
let stopped = false;
const watchers: Watcher[] = [];

const read = (file: string): string => (existsSync(file) ? readFileSync(file, 'utf8') : '');

/** A write by the test itself: while an election runs Consul answers 500, so it is tried again. */
const untilOk = async (what: string, write: () => Promise<void>, timeoutMs = 20_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await write();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${what} kept failing: ${String(err)}`);
      await sleep(200);
    }
  }
};

/** A resource reading one key and the healthy instances of one service, under its own prefix. */
const startDaemon = (prefix: string, service: string, extra: string[] = [], nodes = [cluster.client.address]) => {
  const conf = makeConfdir();
  const dest = join(conf.dir, `${service}.out`);
  conf.addResource({
    name: service,
    template: `live={{getv "/live" "none"}}\n{{#each (service "${service}")}}server {{safeToken id}} {{safeHostPort address port}}\n{{/each}}`,
    fields: { dest, prefix, keys: ['/live'] },
  });
  const w = startWatcher(['--confdir', conf.dir, '--backend', 'consul', ...nodes.flatMap((n) => ['--node', n]), ...extra]);
  watchers.push(w);
  return { dest, watcher: w };
};

/** What the resource renders with live=value and instances <service>-<port> on 127.0.0.1, all on one node. */
const rendered = (value: string, service: string, ports: number[]): string =>
  `live=${value}\n${ports.map((p) => `server ${service}-${p} 127.0.0.1:${p}\n`).join('')}`;

const register = (agent: ConsulAgent, service: string, port: number): Promise<void> =>
  untilOk(`registering ${service}-${port} through ${agent.name}`, () =>
    agent.registerService({ id: `${service}-${port}`, name: service, address: '127.0.0.1', port, ttlCheck: true }),
  );

const put = (agent: ConsulAgent, key: string, value: string): Promise<void> =>
  untilOk(`writing ${key}=${value} through ${agent.name}`, () => agent.kvPut(key, value));

/** A read served by this agent from its own state (?stale), not forwarded to the leader. */
const localValue = async (agent: ConsulAgent, key: string): Promise<string | undefined> => {
  const res = await agent.http('GET', `${kvPath(key)}?raw&stale`, { timeoutMs: 2_000 }).catch(() => undefined);
  return res?.status === 200 ? res.body : undefined;
};

/** Kills the leader server, waits for another to lead, and hands both over. */
const killLeader = async (): Promise<{ old: ConsulAgent; next: ConsulAgent }> => {
  const old = await cluster.leader();
  await old.kill();
  expect(old.pid).toBe(-1);
  const next = await cluster.leader();
  expect(next.name).not.toBe(old.name);
  return { old, next };
};

/** Restarts a killed server and checks it is back: a voter, alive in serf, holding the latest write. */
const expectRejoins = async (server: ConsulAgent, key: string, value: string): Promise<void> => {
  await server.restart();
  expect(await cluster.voters()).toContain(server.name);
  await eventually(async () => (await cluster.memberStatus(server.name)) === 'alive', `${server.name} alive in serf again`);
  await eventually(async () => (await localValue(server, key)) === value, `${server.name} caught up to ${key}=${value}`);
};

beforeAll(async () => {
  cluster = await startConsulCluster();
}, 90_000);
afterEach(async () => {
  for (const w of watchers.splice(0)) await w.stop();
  // The next test starts from a whole cluster.
  for (const agent of cluster.agents) if (!stopped && agent.pid < 0) await agent.restart();
});
afterAll(async () => {
  await cluster?.stop();
});

describe('switchyard on a Consul cluster', () => {
  it('three servers vote, one leads, and the client agent is a member', async () => {
    expect(await cluster.voters()).toEqual(['s0', 's1', 's2']);
    const leads = await Promise.all(cluster.servers.map((s) => s.isLeader()));
    expect(leads.filter(Boolean)).toHaveLength(1);
    expect(await cluster.memberStatus('c0')).toBe('alive');
  });

  it('follows every KV write and registration through a leader kill, and the killed server rejoins', async () => {
    const c = cluster.client;
    await put(c, '/lk/live', 'v0');
    await register(c, 'lk', 9000);
    const { dest, watcher } = startDaemon('/lk', 'lk');
    await eventually(() => read(dest) === rendered('v0', 'lk', [9000]), `first render (dest: ${read(dest)})`, 30_000);

    const { old } = await killLeader();
    // KV written through a server that survived, services registered on the client agent.
    const through = cluster.servers.find((s) => s.pid > 0)!;
    const ports = [9000];
    for (let i = 1; i <= 4; i++) {
      await put(through, '/lk/live', `v${i}`);
      await eventually(() => read(dest) === rendered(`v${i}`, 'lk', ports), `v${i} rendered (dest: ${read(dest)})`, 30_000);
      ports.push(9000 + i);
      await register(c, 'lk', 9000 + i);
      await eventually(() => read(dest) === rendered(`v${i}`, 'lk', ports), `lk-${9000 + i} rendered (dest: ${read(dest)})`, 30_000);
    }

    await expectRejoins(old, '/lk/live', 'v4');
    await put(old, '/lk/live', 'final');
    await eventually(() => read(dest) === rendered('final', 'lk', ports), `the write through the restarted server rendered (dest: ${read(dest)})`, 30_000);
    expect(pidAlive(watcher.pid)).toBe(true);
  });

  it('keeps its files while its client agent is down, and catches up on what changed meanwhile once it is back', async () => {
    const [s] = cluster.servers;
    await put(s!, '/ck/live', 'before');
    await register(s!, 'ck', 7000);
    const { dest, watcher } = startDaemon('/ck', 'ck');
    await eventually(() => read(dest) === rendered('before', 'ck', [7000]), `first render (dest: ${read(dest)})`, 30_000);
    const mtime = statSync(dest).mtimeMs;
    const problems = watcher.count(/watch problem; recovering/);

    await cluster.client.kill();
    await eventually(() => watcher.count(/watch problem; recovering/) > problems, `the daemon notices its agent is gone (output: ${watcher.output()})`);
    // Changed while the daemon's agent is down: it cannot know yet, and must not lose its file.
    await put(s!, '/ck/live', 'while-down');
    await register(s!, 'ck', 7001);
    await sleep(2_000);
    expect(read(dest)).toBe(rendered('before', 'ck', [7000]));
    expect(statSync(dest).mtimeMs).toBe(mtime);
    expect(pidAlive(watcher.pid)).toBe(true);

    await cluster.client.restart();
    await eventually(() => read(dest) === rendered('while-down', 'ck', [7000, 7001]), `the change made while the agent was down rendered (dest: ${read(dest)})`, 30_000);
    await put(s!, '/ck/live', 'after');
    await eventually(() => read(dest) === rendered('after', 'ck', [7000, 7001]), `a write after the agent is back rendered (dest: ${read(dest)})`, 30_000);
  });

  it('--report: the session-held entry survives a leader kill and goes after the TTL once the daemon is killed', async () => {
    const reportKey = '/fleet/hosts/h1';
    const entry = async (via: ConsulAgent = cluster.client) => {
      const res = await via.http('GET', kvPath(reportKey), { timeoutMs: 3_000 });
      return res.status === 200 ? (JSON.parse(res.body) as Array<{ Session?: string; Value: string }>)[0] : undefined;
    };
    const revision = async (): Promise<number> => {
      const e = await entry().catch(() => undefined);
      const doc = e ? (JSON.parse(Buffer.from(e.Value, 'base64').toString('utf8')) as { resources: Record<string, { revision: string }> }) : undefined;
      return Number(doc?.resources['rk.toml']?.revision ?? 0);
    };
    const modifyIndex = async (via: ConsulAgent, key: string): Promise<number> =>
      (JSON.parse((await via.http('GET', kvPath(key))).body) as Array<{ ModifyIndex: number }>)[0]!.ModifyIndex;

    await put(cluster.client, '/rk/live', 'r0');
    const { dest, watcher } = startDaemon('/rk', 'rk', ['--report', '--host-id', 'h1', '--report-prefix', '/fleet', '--report-ttl', '10s']);
    await eventually(async () => (await entry())?.Session !== undefined, `the report entry under a session (output: ${watcher.output()})`, 30_000);
    const session = (await entry())!.Session!;

    const { old, next } = await killLeader();
    await put(next, '/rk/live', 'r1');
    const index = await modifyIndex(next, '/rk/live');
    await eventually(() => read(dest) === rendered('r1', 'rk', []), `r1 rendered (dest: ${read(dest)})`, 30_000);
    await eventually(async () => (await revision()) >= index, `the report shows index ${index} after the election`, 30_000);
    // Once serf has declared the dead server failed, sessions tied to it are gone; this one lives on the client's node.
    await eventually(async () => (await cluster.memberStatus(old.name)) === 'failed', `${old.name} declared failed`, 30_000);
    expect((await entry())?.Session).toBe(session);
    await expectRejoins(old, '/rk/live', 'r1');

    watcher.signal('SIGKILL');
    await watcher.exited();
    const killedAt = Date.now();
    // Nobody gives the session up: the entry stays until the TTL runs out (Consul allows up to twice the TTL).
    await sleep(1_000);
    expect((await entry())?.Session).toBe(session);
    await eventually(async () => (await entry()) === undefined, 'the report entry to go after the TTL', 40_000);
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(9_000);
  });

  it('stop() ends every agent', async () => {
    const pids = cluster.agents.map((a) => a.pid);
    expect(pids.every((p) => p > 0)).toBe(true);
    stopped = true;
    await cluster.stop();
    for (const pid of pids) expect(pidAlive(pid)).toBe(false);
  });
});
