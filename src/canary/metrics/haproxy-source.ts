// `--metrics haproxy:SOCKET[:BACKEND]`: each color's requests and failures
// from the per-server counters of HAProxy's stats socket. mark() snapshots
// the counters, read() returns what they grew by since. A server is a
// color's when its address (`addr`) is the color's addr; otherwise when its
// name is `blue` or `green`. A reload starts a new worker whose counters
// begin at zero: when the worker's PID changed or a counter went down, that
// server is counted from zero (what the old worker served after mark() is
// not seen). A socket that refuses while a reload is under way is asked
// again for up to 3 s.
import { messageOf } from '../../errors.js';
import { COLORS, isColor, type Color } from '../../bluegreen/types.js';
import type { CountsByColor, MetricSource } from '../metric-source.js';
import { colorOfAddr, zeroCounts } from './counts.js';
import { MetricSourceError } from './errors.js';
import { parseShowStat, type ServerCounters, type StatSnapshot } from './haproxy-stat.js';
import { askStatsSocket } from './stats-socket.js';

export interface HaproxySourceOptions {
  socket: string;
  backend?: string;
  addrs: Record<Color, string>;
}

interface ColorServer extends ServerCounters {
  color: Color;
}

interface Snapshot {
  pid: string | undefined;
  servers: Map<string, ColorServer>;
}

/** How long a read or mark waits for a socket that refuses while HAProxy reloads. */
const RELOAD_GRACE_MS = 3_000;
const RETRY_MS = 100;
const TRANSIENT = new Set(['ECONNREFUSED', 'ENOENT', 'EAGAIN', 'ECONNRESET']);

// During a reload the new worker binds the socket again: a refusal then is retried for a moment.
const askWithRetry = async (socket: string, graceMs: number): Promise<string> => {
  const deadline = Date.now() + graceMs;
  for (;;) {
    try {
      return await askStatsSocket(socket, 'show info;show stat');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === undefined || !TRANSIENT.has(code) || Date.now() >= deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
};

const serverId = (s: ServerCounters): string => `${s.backend}/${s.server}`;

const colorOf = (s: ServerCounters, addrs: Record<Color, string>): Color | undefined =>
  colorOfAddr(s.addr, addrs) ?? (isColor(s.server) ? s.server : undefined);

const listServers = (servers: ServerCounters[]): string =>
  servers.length === 0 ? 'none' : servers.map((s) => `${serverId(s)} (${s.addr || 'no addr'})`).join(', ');

/** Checks the socket answers, BACKEND exists and both colors have a server. */
export const openHaproxySource = async (options: HaproxySourceOptions): Promise<MetricSource> => {
  const { socket, backend, addrs } = options;
  const description = `HAProxy stats socket ${socket}${backend ? ` (backend ${backend})` : ''}`;

  const fetch = async (stage: string): Promise<StatSnapshot> => {
    let answer: string;
    try {
      answer = await askWithRetry(socket, stage === 'open' ? 0 : RELOAD_GRACE_MS);
    } catch (err) {
      const cause = messageOf(err);
      throw new MetricSourceError(description, stage, `${cause} (is HAProxy running with \`stats socket ${socket}\` in its global section?)`, { cause: err });
    }
    try {
      return parseShowStat(answer);
    } catch (err) {
      throw new MetricSourceError(description, stage, messageOf(err), { cause: err });
    }
  };

  const snapshot = async (stage: string): Promise<Snapshot> => {
    const { pid, servers } = await fetch(stage);
    const mine = new Map<string, ColorServer>();
    for (const s of servers) {
      if (backend !== undefined && s.backend !== backend) continue;
      const color = colorOf(s, addrs);
      if (color) mine.set(serverId(s), { ...s, color });
    }
    return { pid, servers: mine };
  };

  // Open: the socket answers, the backend exists, each color has a server.
  const first = await fetch('open');
  const inBackend = backend === undefined ? first.servers : first.servers.filter((s) => s.backend === backend);
  if (backend !== undefined && inBackend.length === 0) {
    const backends = [...new Set(first.servers.map((s) => s.backend))].sort();
    throw new MetricSourceError(description, 'open', `no backend ${JSON.stringify(backend)} with servers (backends with servers: ${backends.join(', ') || 'none'})`);
  }
  for (const color of COLORS) {
    if (!inBackend.some((s) => colorOf(s, addrs) === color)) {
      throw new MetricSourceError(
        description,
        'open',
        `no server for ${color} (address ${addrs[color]}, or named ${color}); servers: ${listServers(inBackend)}. Does the template give each color a server line?`,
      );
    }
  }

  let base = await snapshot('mark');
  return {
    description,
    mark: async () => {
      base = await snapshot('mark');
    },
    read: async (): Promise<CountsByColor> => {
      const now = await snapshot('read');
      const restarted = now.pid !== base.pid;
      const counts = zeroCounts();
      for (const [id, s] of now.servers) {
        const before = restarted ? undefined : base.servers.get(id);
        const reset = before === undefined || s.requests < before.requests || s.failures < before.failures;
        counts[s.color].requests += reset ? s.requests : s.requests - before.requests;
        counts[s.color].failures += reset ? s.failures : s.failures - before.failures;
      }
      return counts;
    },
    close: async () => {},
  };
};
