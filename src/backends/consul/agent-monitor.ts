// A blocking query waits on its agent for up to a minute by design, so its
// silence says nothing; an agent that hangs is found by asking it something
// quick on the side (the raft leader) every half second while a blocking
// query is on it. No answer within its stall time marks it down, which moves
// the blocking queries on it to an agent that answers.
import { messageOf } from '../../errors.js';
import type { EndpointHealth } from '../endpoint-health/health.js';

export interface AgentMonitorOptions {
  health: EndpointHealth;
  /** A quick request to one agent; rejects only when the agent did not answer. */
  probe(url: string, timeoutMs: number): Promise<void>;
  everyMs?: number;
}

export interface AgentMonitor {
  /** Checks `url` until the returned release is called (counted: several queries may share an agent). */
  watch(url: string): () => void;
  close(): void;
}

export const createAgentMonitor = (o: AgentMonitorOptions): AgentMonitor => {
  const watched = new Map<string, { count: number; timer: NodeJS.Timeout }>();
  const checking = new Set<string>();
  const single = o.health.endpoints.length < 2;

  const check = async (url: string): Promise<void> => {
    if (checking.has(url)) return;
    checking.add(url);
    const started = Date.now();
    try {
      await o.probe(url, o.health.stallMs(url));
      o.health.succeeded(url, Date.now() - started);
    } catch (err) {
      o.health.failed(url, messageOf(err));
    } finally {
      checking.delete(url);
    }
  };

  return {
    watch: (url) => {
      if (single) return () => undefined;
      let entry = watched.get(url);
      if (!entry) {
        const timer = setInterval(() => void check(url), o.everyMs ?? 500);
        timer.unref();
        entry = { count: 0, timer };
        watched.set(url, entry);
      }
      entry.count += 1;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const e = watched.get(url);
        if (!e) return;
        e.count -= 1;
        if (e.count === 0) {
          clearInterval(e.timer);
          watched.delete(url);
        }
      };
    },
    close: () => {
      for (const e of watched.values()) clearInterval(e.timer);
      watched.clear();
    },
  };
};
