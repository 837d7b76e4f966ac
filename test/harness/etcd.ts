// A real etcd for integration tests: free loopback ports, a temporary data
// dir, readiness polling, and process control (kill, restart, SIGSTOP) so
// tests can break the server the way production breaks it.
import { execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts, retryOnPortClash } from './ports.js';
import { haltProcess, spawnLogged } from './server-process.js';
import { generateTlsFiles, type TlsFiles } from './tls.js';

const ETCD = '/usr/bin/etcd';
const ETCDCTL = '/usr/bin/etcdctl';
const execFileP = promisify(execFile);

export interface StartEtcdOptions {
  /** Enable auth with a `root` user; simple tokens expire after `tokenTtlSeconds` idle. */
  auth?: { password?: string; tokenTtlSeconds?: number };
  /** Serve clients over TLS with a generated CA and server certificate ('gateway': one good for client auth too, see generateTlsFiles). */
  tls?: boolean | 'gateway';
  /** How long to wait for readiness (ms). */
  readyTimeoutMs?: number;
}

export interface EtcdServer {
  /** `http://127.0.0.1:PORT` (or https:// with tls). */
  readonly endpoint: string;
  readonly clientPort: number;
  readonly dataDir: string;
  /** PID of the current process (changes on restart). */
  readonly pid: number;
  /** Root credentials when auth is on. */
  readonly root?: { username: string; password: string };
  /** CA, client cert and key when tls is on. */
  readonly tls?: TlsFiles;
  /** Stops the server for good and removes its files. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL; restart() brings it back. */
  kill(): Promise<void>;
  /** Stops (if running) and starts again on the same ports and data dir. */
  restart(): Promise<void>;
  /** SIGSTOP: the peer stays connected but answers nothing. */
  suspend(): void;
  /** SIGCONT. */
  resume(): void;
  /** Runs etcdctl against this server (with root credentials when auth is on); returns stdout. */
  etcdctl(...args: string[]): Promise<string>;
  /** The current store revision. */
  revision(): Promise<number>;
}

const requireProgram = (path: string): void => {
  if (!existsSync(path)) throw new Error(`${path} is missing: install Debian's etcd-server and etcd-client packages`);
};

/** Starts etcd on free ports (new ones when another process takes one first). */
export const startEtcd = (options: StartEtcdOptions = {}): Promise<EtcdServer> => retryOnPortClash(() => startEtcdOnce(options));

const startEtcdOnce = async (options: StartEtcdOptions): Promise<EtcdServer> => {
  requireProgram(ETCD);
  requireProgram(ETCDCTL);
  const root = mkdtempSync(join(tmpdir(), 'switchyard-etcd-'));
  const dataDir = join(root, 'data');
  const logFile = join(root, 'etcd.log');
  const [clientPort, peerPort] = (await freePorts(2)) as [number, number];
  const tls = options.tls ? await generateTlsFiles(root, options.tls === 'gateway') : undefined;
  const scheme = tls ? 'https' : 'http';
  const endpoint = `${scheme}://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const rootUser = options.auth ? { username: 'root', password: options.auth.password ?? 'rootpw-' + clientPort } : undefined;

  const args = [
    '--name', 'default',
    '--data-dir', dataDir,
    '--listen-client-urls', endpoint,
    '--advertise-client-urls', endpoint,
    '--listen-peer-urls', peer,
    '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `default=${peer}`,
    '--log-level', 'warn',
    '--logger', 'zap',
  ];
  if (options.auth) args.push('--auth-token', 'simple', '--auth-token-ttl', String(options.auth.tokenTtlSeconds ?? 300));
  if (tls) args.push('--cert-file', tls.serverCert, '--key-file', tls.serverKey, '--trusted-ca-file', tls.ca, '--client-cert-auth');

  const ctlBase = ['--endpoints', endpoint, '--dial-timeout', '2s', '--command-timeout', '5s'];
  if (tls) ctlBase.push('--cacert', tls.ca, '--cert', tls.clientCert, '--key', tls.clientKey);
  let authOn = false;
  const etcdctl = async (...ctlArgs: string[]): Promise<string> => {
    const creds = authOn && rootUser ? ['--user', `${rootUser.username}:${rootUser.password}`] : [];
    const { stdout } = await execFileP(ETCDCTL, [...ctlBase, ...creds, ...ctlArgs], { env: { ...process.env, ETCDCTL_API: '3' } });
    return stdout;
  };

  let child: ChildProcess | undefined;
  let stopped = false;

  const waitReady = async (): Promise<void> => {
    const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
    let last: unknown;
    while (Date.now() < deadline) {
      if (!child || child.exitCode !== null) break;
      try {
        await etcdctl('endpoint', 'health');
        return;
      } catch (err) {
        last = err;
        await new Promise((r) => setTimeout(r, 150));
      }
    }
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
    throw new Error(`etcd at ${endpoint} did not become ready: ${String(last)}\n${log}`);
  };

  const launch = async (): Promise<void> => {
    child = spawnLogged(ETCD, args, logFile);
    await waitReady();
  };

  try {
    await launch();
  } catch (err) {
    await haltProcess(child);
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
  if (rootUser) {
    await etcdctl('user', 'add', `${rootUser.username}:${rootUser.password}`, '--interactive=false');
    await etcdctl('user', 'grant-role', rootUser.username, 'root');
    await etcdctl('auth', 'enable');
    authOn = true;
  }

  const server: EtcdServer = {
    endpoint,
    clientPort,
    dataDir,
    get pid() {
      return child?.pid ?? -1;
    },
    root: rootUser,
    tls,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await haltProcess(child);
      rmSync(root, { recursive: true, force: true });
    },
    kill: () => haltProcess(child, 'SIGKILL'),
    restart: async () => {
      if (stopped) throw new Error('etcd was stopped for good; start a new one');
      await haltProcess(child);
      await launch();
    },
    suspend: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    etcdctl,
    revision: async () => {
      const out = await etcdctl('endpoint', 'status', '-w', 'json');
      const parsed = JSON.parse(out) as Array<{ Status: { header: { revision: number } } }>;
      return parsed[0]?.Status.header.revision ?? 0;
    },
  };
  return server;
};
