// A real Consul agent for integration tests: `consul agent -dev` on loopback
// with every port picked free, DNS and gRPC off, a temporary config dir,
// readiness = a leader is elected and the node is in the catalog.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts, retryOnPortClash } from './ports.js';
import { generateTlsFiles, type TlsFiles } from './tls.js';
import { consulHttp, expectOk, type ConsulHttp } from './consul-http.js';
import { haltProcess, spawnLogged } from './server-process.js';
import { sleep } from './wait.js';

export interface StartConsulOptions {
  /** Turn ACLs on; the management token is also the agent's own token. */
  acl?: { defaultPolicy: 'deny' | 'allow'; managementToken: string };
  /** Serve HTTPS only (verify_incoming on), with generated certificates. */
  tls?: boolean;
  readyTimeoutMs?: number;
}

export interface ServiceRegistration {
  id: string;
  name: string;
  address?: string;
  port: number;
  tags?: string[];
  meta?: Record<string, string>;
  /** Adds a TTL check `service:<id>` that starts passing; setCheck() flips it. */
  ttlCheck?: boolean;
}

export type CheckStatus = 'passing' | 'warning' | 'critical';

/** Writes through one agent's HTTP API (KV, and services on that agent's node). */
export interface ConsulAgentOperations {
  /** A Buffer is stored byte for byte (Consul's KV PUT takes the raw body). */
  kvPut(key: string, value: string | Buffer): Promise<void>;
  kvDelete(key: string, options?: { recurse?: boolean }): Promise<void>;
  registerService(service: ServiceRegistration): Promise<void>;
  deregisterService(id: string): Promise<void>;
  /** Sets the TTL check of a service registered with ttlCheck. */
  setCheck(serviceId: string, status: CheckStatus): Promise<void>;
}

export interface ConsulServer extends ConsulAgentOperations {
  /** `http://127.0.0.1:PORT` (https:// with tls). */
  readonly address: string;
  readonly httpPort: number;
  /** PID of the current agent process (changes on restart). */
  readonly pid: number;
  readonly nodeName: string;
  readonly tls?: TlsFiles;
  readonly managementToken?: string;
  /** Raw HTTP against the agent; the management token is used unless another is given. */
  readonly http: ConsulHttp;
  /** Stops the agent for good and removes its files. Idempotent. */
  stop(): Promise<void>;
  /**
   * Stops and starts again on the same ports, after staying down downMs (as a
   * real restart does). -dev keeps KV in memory: it comes back empty.
   */
  restart(options?: { downMs?: number }): Promise<void>;
  /** Creates a token whose policy has these HCL rules; returns its secret. */
  createToken(rules: string): Promise<string>;
}

/** The binary from SWITCHYARD_CONSUL_BIN, else the one scripts/install-consul.sh built. */
export const consulBinary = (): string => {
  const fromEnv = process.env.SWITCHYARD_CONSUL_BIN;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`SWITCHYARD_CONSUL_BIN=${fromEnv} does not exist: run scripts/install-consul.sh`);
    return fromEnv;
  }
  const pointer = join(homedir(), '.cache', 'switchyard', 'consul-current');
  const path = existsSync(pointer) ? readFileSync(pointer, 'utf8').trim() : '';
  if (!path || !existsSync(path)) {
    throw new Error('the consul program is missing: run scripts/install-consul.sh (it builds Consul into ~/.cache/switchyard), or set SWITCHYARD_CONSUL_BIN');
  }
  return path;
};

/** Encodes a key path for /v1/kv/ ("/app/live" and "app/live" are the same key). */
export const kvPath = (key: string): string =>
  '/v1/kv/' + key.split('/').filter((s) => s.length > 0).map(encodeURIComponent).join('/');

/** The config every test agent shares: its ports (-1 turns one off), no update check, quiet logs. */
export const baseAgentConfig = (ports: Record<string, number>): string[] => [
  `ports { ${Object.entries(ports).map(([k, v]) => `${k} = ${v}`).join('\n')} }`,
  'disable_update_check = true',
  'log_level = "warn"',
];

const agentConfig = (ports: Record<string, number>, options: StartConsulOptions, tls?: TlsFiles): string => {
  const lines = baseAgentConfig(ports);
  if (options.acl) {
    const t = JSON.stringify(options.acl.managementToken);
    lines.push(`acl { enabled = true\n default_policy = "${options.acl.defaultPolicy}"\n enable_token_persistence = false\n tokens { initial_management = ${t}\n agent = ${t} } }`);
  }
  if (tls) {
    lines.push(`tls { defaults { ca_file = "${tls.ca}"\n cert_file = "${tls.serverCert}"\n key_file = "${tls.serverKey}"\n verify_incoming = true } }`);
  }
  return lines.join('\n') + '\n';
};

/** The agent's own log, its tail for error messages. */
export const logTail = (logFile: string, chars = 2000): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-chars) : '');

export interface AgentReadiness {
  http: ConsulHttp;
  nodeName: string;
  address: string;
  logFile: string;
  timeoutMs: number;
  /** False once the process has exited: no use waiting longer. */
  running: () => boolean;
}

/** Waits until the agent knows a leader and its own node is in the catalog. */
export const waitForAgent = async (o: AgentReadiness): Promise<void> => {
  const deadline = Date.now() + o.timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline && o.running()) {
    try {
      const leader = await o.http('GET', '/v1/status/leader', { timeoutMs: 2_000 });
      const node = leader.status === 200 && leader.body.length > 4 ? await o.http('GET', `/v1/catalog/node/${o.nodeName}`, { timeoutMs: 2_000 }) : undefined;
      if (node?.status === 200 && node.body !== 'null') return;
      last = `leader ${leader.status} ${leader.body.trim()}, node ${node?.status ?? '-'}`;
    } catch (err) {
      last = String(err);
    }
    await sleep(150);
  }
  throw new Error(`consul at ${o.address} did not become ready: ${o.running() ? last : 'the agent exited'}\n${logTail(o.logFile)}`);
};

/** KV writes and service registrations through one agent. */
export const agentOperations = (http: ConsulHttp): ConsulAgentOperations => ({
  kvPut: async (key, value) => {
    await expectOk(http, 'PUT', kvPath(key), { body: value });
  },
  kvDelete: async (key, o = {}) => {
    await expectOk(http, 'DELETE', kvPath(key) + (o.recurse ? '?recurse=true' : ''));
  },
  registerService: async (s) => {
    const body = {
      ID: s.id, Name: s.name, Address: s.address ?? '', Port: s.port, Tags: s.tags ?? [], Meta: s.meta ?? {},
      ...(s.ttlCheck ? { Check: { CheckID: `service:${s.id}`, TTL: '10m', Status: 'passing' } } : {}),
    };
    await expectOk(http, 'PUT', '/v1/agent/service/register', { body });
  },
  deregisterService: async (id) => {
    await expectOk(http, 'PUT', `/v1/agent/service/deregister/${encodeURIComponent(id)}`);
  },
  setCheck: async (serviceId, status) => {
    await expectOk(http, 'PUT', `/v1/agent/check/update/${encodeURIComponent(`service:${serviceId}`)}`, { body: { Status: status } });
  },
});

/** Starts an agent on free ports (new ones when another process takes one first). */
export const startConsul = (options: StartConsulOptions = {}): Promise<ConsulServer> => retryOnPortClash(() => startConsulOnce(options));

const startConsulOnce = async (options: StartConsulOptions): Promise<ConsulServer> => {
  const binary = consulBinary();
  const root = mkdtempSync(join(tmpdir(), 'switchyard-consul-'));
  const configDir = join(root, 'config');
  mkdirSync(configDir);
  const logFile = join(root, 'consul.log');
  const [httpPort, serverPort, serfLan, serfWan] = (await freePorts(4)) as [number, number, number, number];
  const tls = options.tls ? await generateTlsFiles(root) : undefined;
  const ports: Record<string, number> = {
    dns: -1, grpc: -1, grpc_tls: -1, server: serverPort, serf_lan: serfLan, serf_wan: serfWan,
    ...(tls ? { http: -1, https: httpPort } : { http: httpPort }),
  };
  writeFileSync(join(configDir, 'agent.hcl'), agentConfig(ports, options, tls));
  const address = `${tls ? 'https' : 'http'}://127.0.0.1:${httpPort}`;
  const nodeName = `switchyard-test-${httpPort}`;
  const args = ['agent', '-dev', '-bind', '127.0.0.1', '-client', '127.0.0.1', '-advertise', '127.0.0.1',
    '-node', nodeName, '-config-dir', configDir];
  const raw = consulHttp(address, tls);
  const token = options.acl?.managementToken;
  const http: ConsulHttp = (method, path, o = {}) => raw(method, path, { token, ...o });

  let child: ChildProcess | undefined;
  let stopped = false;

  const waitReady = (): Promise<void> =>
    waitForAgent({ http, nodeName, address, logFile, timeoutMs: options.readyTimeoutMs ?? 30_000, running: () => child !== undefined && child.exitCode === null });

  const launch = async (): Promise<void> => {
    child = spawnLogged(binary, args, logFile);
    await waitReady();
  };
  const halt = (): Promise<void> => haltProcess(child);

  try {
    await launch();
  } catch (err) {
    await halt();
    rmSync(root, { recursive: true, force: true });
    throw err;
  }

  return {
    address,
    httpPort,
    get pid() {
      return child?.pid ?? -1;
    },
    nodeName,
    tls,
    managementToken: token,
    http,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await halt();
      rmSync(root, { recursive: true, force: true });
    },
    restart: async (o = {}) => {
      if (stopped) throw new Error('consul was stopped for good; start a new one');
      await halt();
      await sleep(o.downMs ?? 0);
      await launch();
    },
    ...agentOperations(http),
    createToken: async (rules) => {
      const name = `policy-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
      await expectOk(http, 'PUT', '/v1/acl/policy', { body: { Name: name, Rules: rules } });
      const res = await expectOk(http, 'PUT', '/v1/acl/token', { body: { Policies: [{ Name: name }] } });
      return (JSON.parse(res.body) as { SecretID: string }).SecretID;
    },
  };
};
