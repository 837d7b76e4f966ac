// A real Consul cluster for integration tests: N servers (default 3,
// -bootstrap-expect N) and one client agent joined to them, all on loopback
// with their own HTTP, server RPC and serf LAN/WAN ports (DNS and gRPC off),
// temporary data dirs, and per-agent process control (kill, restart,
// SIGSTOP) so tests can break one agent the way production breaks it while
// the quorum stays. Daemons under test talk to the client agent, as
// production hosts do.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentOperations, baseAgentConfig, consulBinary, waitForAgent, type ConsulAgentOperations } from './consul.js';
import { consulHttp, type ConsulHttp } from './consul-http.js';
import { freePorts, retryOnPortClash } from './ports.js';
import { clusterMember, clusterProcesses, findMember, type ClusterMember } from './cluster-member.js';
import { haltProcess, hasExited, spawnLogged } from './server-process.js';
import { sleep } from './wait.js';

export interface StartConsulClusterOptions {
  /** Servers (default 3); the client agent comes on top. */
  servers?: number;
  /** How long to wait for a leader and every agent in the catalog (ms). */
  readyTimeoutMs?: number;
}

/** One agent; its name is its node name: s0, s1 … for servers, c0 for the client. */
export interface ConsulAgent extends ClusterMember, ConsulAgentOperations {
  readonly server: boolean;
  /** `http://127.0.0.1:PORT` of its HTTP API. */
  readonly address: string;
  /** `127.0.0.1:PORT` of its server RPC port, as /v1/status/leader names a leader. */
  readonly rpcAddress: string;
  /** Raw HTTP against this agent. */
  readonly http: ConsulHttp;
}

export interface ConsulCluster {
  readonly servers: readonly ConsulAgent[];
  /** The client agent, joined to the servers. */
  readonly client: ConsulAgent;
  /** Servers, then the client. */
  readonly agents: readonly ConsulAgent[];
  /** The server that leads now (waits up to 15 s for an election). */
  leader(): Promise<ConsulAgent>;
  /** A running server that does not lead. */
  follower(): Promise<ConsulAgent>;
  /** Node names of the raft voters, as the leader sees them. */
  voters(): Promise<string[]>;
  /** Serf status of an agent as a running agent sees it: alive, failed, left … */
  memberStatus(name: string): Promise<string>;
  /** Stops every agent for good and removes the data. Idempotent. */
  stop(): Promise<void>;
}

const SERF_STATUS = ['none', 'alive', 'leaving', 'left', 'failed'];

interface AgentPorts {
  http: number;
  server: number;
  serfLan: number;
  serfWan: number;
}

/**
 * Starts the cluster. Ports are picked free and released before the agents
 * bind them; when another process takes one first (16 ports, a busy
 * machine), the whole cluster starts again on new ports.
 */
export const startConsulCluster = (options: StartConsulClusterOptions = {}): Promise<ConsulCluster> => retryOnPortClash(() => startOnce(options));

const startOnce = async (options: StartConsulClusterOptions): Promise<ConsulCluster> => {
  const binary = consulBinary();
  const serverCount = options.servers ?? 3;
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const root = mkdtempSync(join(tmpdir(), 'switchyard-consul-cluster-'));
  const names = [...Array.from({ length: serverCount }, (_, i) => `s${i}`), 'c0'];
  const raw = await freePorts(names.length * 4);
  const ports: AgentPorts[] = names.map((_, i) => ({ http: raw[4 * i]!, server: raw[4 * i + 1]!, serfLan: raw[4 * i + 2]!, serfWan: raw[4 * i + 3]! }));
  const joins = ports.slice(0, serverCount).flatMap((p) => ['-retry-join', `127.0.0.1:${p.serfLan}`]);
  const cluster = clusterProcesses(root, names.length);
  const { children } = cluster;

  const dirOf = (i: number): string => join(root, names[i]!);
  const logOf = (i: number): string => join(dirOf(i), 'consul.log');
  const isServer = (i: number): boolean => i < serverCount;
  const running = (i: number): boolean => children[i] !== undefined && !hasExited(children[i]!);

  const prepare = (i: number): string[] => {
    const configDir = join(dirOf(i), 'config');
    mkdirSync(join(dirOf(i), 'data'), { recursive: true, mode: 0o700 });
    mkdirSync(configDir, { recursive: true });
    const p = ports[i]!;
    const lines = [
      ...baseAgentConfig({ dns: -1, grpc: -1, grpc_tls: -1, http: p.http, server: p.server, serf_lan: p.serfLan, serf_wan: p.serfWan }),
      // Raft at its fastest (elections in about a second) and new servers voting soon after they join.
      'performance { raft_multiplier = 1 }',
      ...(isServer(i) ? ['autopilot { server_stabilization_time = "1s"\n last_contact_threshold = "1s" }'] : []),
    ];
    writeFileSync(join(configDir, 'agent.hcl'), lines.join('\n') + '\n');
    return [
      'agent', ...(isServer(i) ? ['-server', '-bootstrap-expect', String(serverCount)] : []),
      '-node', names[i]!, '-data-dir', join(dirOf(i), 'data'), '-config-dir', configDir,
      '-bind', '127.0.0.1', '-client', '127.0.0.1', '-advertise', '127.0.0.1', '-retry-interval', '1s', ...joins,
    ];
  };
  const args = names.map((_, i) => prepare(i));
  const https = ports.map((p) => consulHttp(`http://127.0.0.1:${p.http}`));

  const spawnAgent = (i: number): void => {
    children[i] = spawnLogged(binary, args[i]!, logOf(i));
  };
  const waitReady = (i: number): Promise<void> =>
    waitForAgent({ http: https[i]!, nodeName: names[i]!, address: `http://127.0.0.1:${ports[i]!.http}`, logFile: logOf(i), timeoutMs: readyTimeoutMs, running: () => running(i) });

  const askLeader = async (i: number): Promise<string> => {
    const res = await https[i]!('GET', '/v1/status/leader', { timeoutMs: 2_000 });
    return res.status === 200 ? (JSON.parse(res.body) as string) : '';
  };

  /** Asks the running agents in turn; the first answer wins. */
  const askAny = async <T>(what: string, ask: (http: ConsulHttp) => Promise<T>): Promise<T> => {
    let last: unknown = 'no agent is running';
    for (const [i, http] of https.entries()) {
      if (!running(i)) continue;
      try {
        return await ask(http);
      } catch (err) {
        last = err;
      }
    }
    throw new Error(`no consul agent of the cluster answered ${what}: ${String(last)}`);
  };

  const voters = (): Promise<string[]> =>
    askAny('the raft configuration', async (http) => {
      const res = await http('GET', '/v1/operator/raft/configuration', { timeoutMs: 3_000 });
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.body.trim()}`);
      const doc = JSON.parse(res.body) as { Servers: Array<{ Node: string; Voter: boolean }> };
      return doc.Servers.filter((s) => s.Voter).map((s) => s.Node).sort();
    });

  /** Back once the agent knows a leader and its node is in the catalog; a server, once it votes again too. */
  const restart = async (i: number): Promise<void> => {
    if (cluster.stopped) throw new Error('the consul cluster was stopped for good');
    await haltProcess(children[i]);
    spawnAgent(i);
    await waitReady(i);
    if (!isServer(i)) return;
    const deadline = Date.now() + readyTimeoutMs;
    while (!(await voters().catch((): string[] => [])).includes(names[i]!)) {
      if (Date.now() > deadline) throw new Error(`consul server ${names[i]} did not become a raft voter again within ${readyTimeoutMs} ms`);
      await sleep(200);
    }
  };

  const agents: ConsulAgent[] = names.map((name, i) =>
    clusterMember(
      {
        name,
        current: () => children[i],
        restart: () => restart(i),
        isLeader: async () => isServer(i) && (await askLeader(i)) === `127.0.0.1:${ports[i]!.server}`,
      },
      {
        ...agentOperations(https[i]!),
        server: isServer(i),
        address: `http://127.0.0.1:${ports[i]!.http}`,
        rpcAddress: `127.0.0.1:${ports[i]!.server}`,
        http: https[i]!,
      },
    ),
  );
  const servers = agents.slice(0, serverCount);
  const describe = `the consul servers ${servers.map((s) => s.address).join(', ')}`;

  await cluster.start(async () => {
    names.forEach((_, i) => spawnAgent(i));
    await Promise.all(names.map((_, i) => waitReady(i)));
  });

  return {
    servers,
    client: agents[serverCount]!,
    agents,
    leader: () => findMember(servers, true, describe),
    follower: () => findMember(servers, false, describe),
    voters,
    memberStatus: (name) =>
      askAny('the member list', async (http) => {
        const res = await http('GET', '/v1/agent/members', { timeoutMs: 3_000 });
        if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.body.trim()}`);
        const member = (JSON.parse(res.body) as Array<{ Name: string; Status: number }>).find((m) => m.Name === name);
        return member ? SERF_STATUS[member.Status] ?? String(member.Status) : 'unknown';
      }),
    stop: cluster.stop,
  };
};
