// The cluster harness itself: three members agree, a killed leader is
// replaced, a restarted member catches up, and stop() leaves no process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcdCluster, type EtcdCluster } from '../harness/etcd-cluster.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { pidAlive } from '../harness/processes.js';
import { waitFor } from '../harness/wait.js';

const execFileP = promisify(execFile);
const serializableGet = async (endpoint: string, key: string): Promise<string> => {
  const { stdout } = await execFileP('/usr/bin/etcdctl', ['--endpoints', endpoint, 'get', '--consistency=s', '--print-value-only', key], {
    env: { ...process.env, ETCDCTL_API: '3' },
  });
  return stdout.trim();
};

describe('etcd cluster harness', () => {
  let cluster: EtcdCluster;
  beforeAll(async () => {
    cluster = await startEtcdCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('has three members and one leader', async () => {
    const out = await cluster.etcdctl('member', 'list', '-w', 'json');
    expect((JSON.parse(out) as { members: unknown[] }).members).toHaveLength(3);
    const leads = await Promise.all(cluster.members.map((m) => m.isLeader()));
    expect(leads.filter(Boolean)).toHaveLength(1);
  });

  it('elects a new leader when the leader is killed, and the old one catches up on restart', async () => {
    const old = await cluster.leader();
    await old.kill();
    expect(old.pid).toBe(-1);
    const next = await cluster.leader();
    expect(next.name).not.toBe(old.name);
    await cluster.etcdctl('put', '/harness/k', 'after-kill');
    await old.restart();
    await waitFor('the restarted member to have the write', async () => (await serializableGet(old.endpoint, '/harness/k').catch(() => '')) === 'after-kill', 10_000);
  });

  it('stop() ends every member', async () => {
    const pids = cluster.members.map((m) => m.pid);
    await cluster.stop();
    for (const pid of pids) expect(pidAlive(pid)).toBe(false);
  });
});
