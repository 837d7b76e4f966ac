// Hosts as network namespaces, for fleet tests across separate network
// stacks: N namespaces, each with a veth pair into a Linux bridge in the root
// namespace, on a private /24 that clashes with no address or route of this
// machine. The root namespace holds the bridge address (.1), host i holds
// .(10+i). Per host: run a command inside, spawn one whose PID can be
// stopped, cut its link and restore it. Names carry the test process's PID
// and a counter, so parallel runs do not collide. teardown() (and an exit
// hook, for a crashed run) kills what still runs inside, removes the
// namespaces, the veths and the bridge.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

const IP = 'ip';
const CURL = '/usr/bin/curl';
const execFileP = promisify(execFile);

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface NetnsHost {
  /** host1, host2, ... */
  readonly name: string;
  /** The namespace's name (`ip netns exec NAME`). */
  readonly netns: string;
  /** The host's address on the bridge's /24. */
  readonly address: string;
  /** The veth end in the root namespace (attached to the bridge). */
  readonly rootLink: string;
  /** `ip netns exec NAME argv...`: spawn this and the PID is the program's own (ip execs it). */
  wrap(argv: readonly string[]): string[];
  /** Runs argv inside and waits; never throws on a non-zero exit. */
  run(argv: readonly string[], timeoutMs?: number): Promise<RunResult>;
  /** GET url with curl inside the namespace: the status and body, or status 0 and curl's error. */
  get(url: string): Promise<{ status: number; body: string }>;
  /** PIDs of the processes running inside (`ip netns pids`). */
  pids(): Promise<number[]>;
  /** Sets the root side of the host's veth down: nothing reaches the host or leaves it. */
  cut(): Promise<void>;
  /** Sets it up again. */
  restore(): Promise<void>;
}

export interface NetnsNetwork {
  /** The common part of every name: namespaces, links and the bridge start with it. */
  readonly tag: string;
  readonly bridge: string;
  /** The bridge's address in the root namespace: servers the hosts must reach listen here. */
  readonly bridgeAddress: string;
  readonly subnet: string;
  readonly hosts: readonly NetnsHost[];
  /** Kills what runs inside, removes namespaces, veths and bridge. Idempotent. */
  teardown(): Promise<void>;
}

const ip = async (...args: string[]): Promise<string> => {
  try {
    return (await execFileP(IP, args)).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`ip ${args.join(' ')}: ${(e.stderr ?? '').trim() || e.message}`);
  }
};

/** Why this machine cannot run the namespace tests, or undefined when it can (needs root and iproute2). */
export const netnsUnsupported = async (): Promise<string | undefined> => {
  const probe = `syprobe${process.pid}`;
  try {
    await ip('netns', 'add', probe);
    await ip('netns', 'del', probe);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
};

const toInt = (a: string): number => a.split('.').reduce((n, part) => n * 256 + Number(part), 0) >>> 0;

/** Every IPv4 prefix this machine has as an address or a route, as [network, mask]. */
const usedPrefixes = async (): Promise<Array<[number, number]>> => {
  const text = `${await ip('-4', '-o', 'addr', 'show')}\n${await ip('-4', 'route', 'show', 'table', 'all')}`;
  const out: Array<[number, number]> = [];
  for (const m of text.matchAll(/(?:^|\s)(\d+\.\d+\.\d+\.\d+)(?:\/(\d+))?/g)) {
    const bits = m[2] === undefined ? 32 : Number(m[2]);
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    out.push([(toInt(m[1]!) & mask) >>> 0, mask]);
  }
  return out;
};

/** A 10.x.y.0/24 that overlaps nothing in use, starting from a place that depends on the PID. */
const freeSubnet = async (seed: number): Promise<string> => {
  const used = (await usedPrefixes()).filter(([net, mask]) => mask !== 0 && net !== 0);
  for (let i = 0; i < 4096; i++) {
    const n = (seed + i * 97) % (200 * 256);
    const base = `10.${40 + Math.floor(n / 256)}.${n % 256}`;
    const net = toInt(`${base}.0`);
    // Two prefixes overlap when the shorter mask (the smaller number) gives the same network for both.
    const clash = used.some(([other, mask]) => {
      const m = Math.min(mask, 0xffffff00);
      return ((net & m) >>> 0) === ((other & m) >>> 0);
    });
    if (!clash) return base;
  }
  throw new Error('no free 10.x.y.0/24 on this machine');
};

let created = 0;
const forExit = new Set<() => void>();
process.once('exit', () => {
  for (const cleanup of forExit) cleanup();
});

/** What is left of a network (names starting with tag): namespaces and links. */
export const leftovers = async (tag: string): Promise<{ netns: string[]; links: string[] }> => {
  const netns = (await ip('netns', 'list')).split('\n').map((l) => l.split(' ')[0]!).filter((n) => n.startsWith(tag));
  const links = [...(await ip('-o', 'link', 'show')).matchAll(/^\d+: ([^:@\s]+)/gm)].map((m) => m[1]!).filter((n) => n.startsWith(tag));
  return { netns, links };
};

export const createNetnsHosts = async (count: number): Promise<NetnsNetwork> => {
  if (count < 1 || count > 9) throw new Error(`between 1 and 9 hosts, got ${count}`);
  const tag = `sy${process.pid}${String.fromCharCode(97 + (created++ % 26))}`;
  const bridge = `${tag}br`;
  const base = await freeSubnet(process.pid);
  const subnet = `${base}.0/24`;
  const bridgeAddress = `${base}.1`;
  const names = Array.from({ length: count }, (_, i) => ({ netns: `${tag}h${i + 1}`, rootLink: `${tag}r${i + 1}`, peer: `${tag}p${i + 1}`, address: `${base}.${11 + i}` }));

  // Processes still inside are ours (spawned through wrap/run); killed by PID before the namespace goes.
  const killInside = (netns: string): void => {
    try {
      const pids = execFileSync(IP, ['netns', 'pids', netns], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
      for (const pid of pids) process.kill(pid, 'SIGKILL');
    } catch {
      // the namespace is gone already
    }
  };
  const removeSync = (): void => {
    for (const n of names) {
      killInside(n.netns);
      for (const args of [['netns', 'del', n.netns], ['link', 'del', n.rootLink]]) {
        try {
          execFileSync(IP, args, { stdio: 'ignore' });
        } catch {
          // not there (never made, or gone with its namespace)
        }
      }
    }
    try {
      execFileSync(IP, ['link', 'del', bridge], { stdio: 'ignore' });
    } catch {
      // not there
    }
  };
  let torn = false;
  const teardown = async (): Promise<void> => {
    if (torn) return;
    torn = true;
    forExit.delete(removeSync);
    removeSync();
    // A namespace's processes may take a moment to die: the veth goes with the last of them.
    const deadline = Date.now() + 5_000;
    for (;;) {
      const left = await leftovers(tag);
      if (left.netns.length === 0 && left.links.length === 0) return;
      if (Date.now() > deadline) throw new Error(`network ${tag} left behind: namespaces ${left.netns.join(' ')}; links ${left.links.join(' ')}`);
      for (const link of left.links) await ip('link', 'del', link).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  forExit.add(removeSync);

  const host = (n: (typeof names)[number], i: number): NetnsHost => {
    const wrap = (argv: readonly string[]): string[] => [IP, 'netns', 'exec', n.netns, ...argv];
    const run = async (argv: readonly string[], timeoutMs = 10_000): Promise<RunResult> => {
      const [cmd, ...args] = wrap(argv);
      try {
        const { stdout, stderr } = await execFileP(cmd!, args, { timeout: timeoutMs });
        return { code: 0, stdout, stderr };
      } catch (err) {
        const e = err as { code?: number | string; stdout?: string; stderr?: string; message: string };
        return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? e.message };
      }
    };
    return {
      name: `host${i + 1}`,
      netns: n.netns,
      address: n.address,
      rootLink: n.rootLink,
      wrap,
      run,
      get: async (url) => {
        const res = await run([CURL, '-sS', '--max-time', '3', '-o', '-', '-w', '\n%{http_code}', url], 5_000);
        if (res.code !== 0) return { status: 0, body: res.stderr.trim() };
        const cut = res.stdout.lastIndexOf('\n');
        return { status: Number(res.stdout.slice(cut + 1)), body: res.stdout.slice(0, cut) };
      },
      pids: async () => (await ip('netns', 'pids', n.netns)).split('\n').filter(Boolean).map(Number),
      cut: async () => void (await ip('link', 'set', n.rootLink, 'down')),
      restore: async () => void (await ip('link', 'set', n.rootLink, 'up')),
    };
  };

  try {
    await ip('link', 'add', bridge, 'type', 'bridge');
    await ip('addr', 'add', `${bridgeAddress}/24`, 'dev', bridge);
    await ip('link', 'set', bridge, 'up');
    for (const n of names) {
      await ip('netns', 'add', n.netns);
      await ip('link', 'add', n.rootLink, 'type', 'veth', 'peer', 'name', n.peer);
      await ip('link', 'set', n.rootLink, 'master', bridge);
      await ip('link', 'set', n.rootLink, 'up');
      await ip('link', 'set', n.peer, 'netns', n.netns);
      await ip('-n', n.netns, 'link', 'set', n.peer, 'name', 'eth0');
      await ip('-n', n.netns, 'addr', 'add', `${n.address}/24`, 'dev', 'eth0');
      await ip('-n', n.netns, 'link', 'set', 'eth0', 'up');
      await ip('-n', n.netns, 'link', 'set', 'lo', 'up');
    }
  } catch (err) {
    await teardown().catch(() => undefined);
    throw err;
  }
  return { tag, bridge, bridgeAddress, subnet, hosts: names.map(host), teardown };
};
