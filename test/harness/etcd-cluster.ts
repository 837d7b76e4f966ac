// A real etcd cluster for integration tests: N members (default 3) on free
// ports of one address (loopback, or a bridge address that network
// namespaces can reach), temporary data dirs, and per-member process control
// (kill, restart, SIGSTOP) so tests can break one member the way production
// breaks it while the quorum stays.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts } from './ports.js';
import { clusterMember, clusterProcesses, findMember, type ClusterMember } from './cluster-member.js';
import { haltProcess, spawnLogged } from './server-process.js';

const ETCD = '/usr/bin/etcd';
const ETCDCTL = '/usr/bin/etcdctl';
const execFileP = promisify(execFile);

export interface StartEtcdClusterOptions {
  /** Members (default 3). */
  size?: number;
  /** Address every member listens on (default 127.0.0.1). */
  host?: string;
  /** How long to wait for the cluster to be healthy (ms). */
  readyTimeoutMs?: number;
}

export interface EtcdMember extends ClusterMember {
  /** `http://HOST:PORT` of its client URL. */
  readonly endpoint: string;
}

export interface EtcdCluster {
  readonly members: readonly EtcdMember[];
  /** Every member's client URL. */
  readonly endpoints: readonly string[];
  /** Runs etcdctl against the members that are named (default: all). */
  etcdctl(...args: string[]): Promise<string>;
  /** The member that leads now (waits up to 10 s for an election). */
  leader(): Promise<EtcdMember>;
  /** A member that does not lead. */
  follower(): Promise<EtcdMember>;
  /** Stops every member for good and removes the data. Idempotent. */
  stop(): Promise<void>;
}

export const startEtcdCluster = async (options: StartEtcdClusterOptions = {}): Promise<EtcdCluster> => {
  for (const path of [ETCD, ETCDCTL]) {
    if (!existsSync(path)) throw new Error(`${path} is missing: install Debian's etcd-server and etcd-client packages`);
  }
  const size = options.size ?? 3;
  const host = options.host ?? '127.0.0.1';
  const root = mkdtempSync(join(tmpdir(), 'switchyard-etcd-cluster-'));
  const ports = await freePorts(size * 2);
  const names = Array.from({ length: size }, (_, i) => `m${i}`);
  const clientUrl = (i: number): string => `http://${host}:${ports[2 * i]}`;
  const peerUrl = (i: number): string => `http://${host}:${ports[2 * i + 1]}`;
  const initialCluster = names.map((name, i) => `${name}=${peerUrl(i)}`).join(',');
  const endpoints = names.map((_, i) => clientUrl(i));
  const token = `switchyard-${ports[0]}`;

  const ctl = async (urls: readonly string[], args: readonly string[]): Promise<string> => {
    const { stdout } = await execFileP(
      ETCDCTL,
      ['--endpoints', urls.join(','), '--dial-timeout', '2s', '--command-timeout', '5s', ...args],
      { env: { ...process.env, ETCDCTL_API: '3' } },
    );
    return stdout;
  };

  const cluster = clusterProcesses(root, size);
  const { children } = cluster;
  const memberArgs = (i: number): string[] => [
    '--name', names[i]!,
    '--data-dir', join(root, names[i]!),
    '--listen-client-urls', clientUrl(i),
    '--advertise-client-urls', clientUrl(i),
    '--listen-peer-urls', peerUrl(i),
    '--initial-advertise-peer-urls', peerUrl(i),
    '--initial-cluster', initialCluster,
    '--initial-cluster-token', token,
    '--initial-cluster-state', 'new',
    '--heartbeat-interval', '100',
    '--election-timeout', '1000',
    '--log-level', 'warn',
    '--logger', 'zap',
  ];
  const logOf = (i: number): string => join(root, `${names[i]}.log`);
  const spawnMember = (i: number): void => {
    mkdirSync(join(root, names[i]!), { recursive: true, mode: 0o700 });
    children[i] = spawnLogged(ETCD, memberArgs(i), logOf(i));
  };

  const waitHealthy = async (urls: readonly string[]): Promise<void> => {
    const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
    let last: unknown;
    while (Date.now() < deadline) {
      try {
        await ctl(urls, ['endpoint', 'health']);
        return;
      } catch (err) {
        last = err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const logs = names.map((_, i) => (existsSync(logOf(i)) ? readFileSync(logOf(i), 'utf8').slice(-1000) : '')).join('\n');
    throw new Error(`etcd cluster ${urls.join(',')} did not become healthy: ${String(last)}\n${logs}`);
  };

  const isLeader = async (i: number): Promise<boolean> => {
    const out = await ctl([clientUrl(i)], ['endpoint', 'status', '-w', 'json']);
    const [status] = JSON.parse(out) as Array<{ Status: { header: { member_id: number | string }; leader: number | string } }>;
    return status !== undefined && String(status.Status.header.member_id) === String(status.Status.leader);
  };

  const members: EtcdMember[] = names.map((name, i) =>
    clusterMember(
      {
        name,
        current: () => children[i],
        restart: async () => {
          if (cluster.stopped) throw new Error('the cluster was stopped for good');
          await haltProcess(children[i]);
          spawnMember(i);
          await waitHealthy([clientUrl(i)]);
        },
        isLeader: () => isLeader(i),
      },
      { endpoint: clientUrl(i) },
    ),
  );
  const describe = `etcd cluster ${endpoints.join(',')}`;


  await cluster.start(async () => {
    names.forEach((_, i) => spawnMember(i));
    await waitHealthy(endpoints);
  });

  return {
    members,
    endpoints,
    etcdctl: (...args) => ctl(endpoints, args),
    leader: () => findMember(members, true, describe, 10_000),
    follower: () => findMember(members, false, describe, 10_000),
    stop: cluster.stop,
  };
};
