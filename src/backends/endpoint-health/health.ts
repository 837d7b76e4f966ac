// Which member of a clustered store (etcd members, Consul agents) requests go
// to, and how long to wait for it before asking another. Each endpoint's
// answer times are tracked; one that stops answering is marked down (logged
// once), skipped for a cool-down that doubles while it stays bad, probed
// beside real requests when the cool-down runs out, and marked up again (logged
// once) as soon as it answers.
import type { Logger } from '../../log.js';
import { createLatencyWindow, type LatencyWindow } from './latency.js';

export interface HedgeTiming {
  /** The hedge delay is the preferred endpoint's p99 answer time times this. */
  factor: number;
  floorMs: number;
  capMs: number;
  /** Used until an endpoint has minSamples answers. */
  initialMs: number;
  minSamples: number;
}

export const DEFAULT_HEDGE: HedgeTiming = { factor: 2, floorMs: 75, capMs: 500, initialMs: 250, minSamples: 10 };

export interface EndpointHealthOptions {
  /** How the log names one endpoint: "etcd member", "consul agent". */
  kind: string;
  logger: Logger;
  now?: () => number;
  /** First and largest cool-down of an endpoint that does not answer (ms). */
  cooldownMs?: [number, number];
  hedge?: Partial<HedgeTiming>;
  /** Index of the endpoint to start with (default: random, to spread hosts over the members). */
  first?: number;
}

/** One endpoint as /metrics and the status page show it. */
export interface EndpointReport {
  endpoint: string;
  up: boolean;
  /** Requests go here first. */
  preferred: boolean;
  p50Ms?: number;
  p99Ms?: number;
  hedgeDelayMs: number;
  /** While down: since when, why, and in how long it is tried again. */
  downSince?: string;
  lastError?: string;
  retryInMs?: number;
}

export interface EndpointHealth {
  readonly endpoints: readonly string[];
  /** Endpoints in the order to try: the preferred one, the others that answer (fastest first), then those down (soonest due first). */
  order(): string[];
  /** A down endpoint whose cool-down ran out, to probe beside a request; at most one probe at a time per endpoint. */
  takeProbe(): string | undefined;
  /** How long to wait for this endpoint before asking the next one too (ms). */
  hedgeDelayMs(endpoint: string): number;
  /** An attempt unanswered this long marks the endpoint down (ms). */
  stallMs(endpoint: string): number;
  /** It answered (latencyMs absent for answers that are not a measure of speed, such as long polls). */
  succeeded(endpoint: string, latencyMs?: number): void;
  /** It did not answer; `probe`: the attempt was a probe of an endpoint already down, so its cool-down grows. */
  failed(endpoint: string, reason: string, probe?: boolean): void;
  isUp(endpoint: string): boolean;
  /** A long-lived stream (a watch) is on this endpoint: prefer it. Returns the release. */
  use(endpoint: string): () => void;
  /** Called when an endpoint goes down; returns the unsubscribe. */
  onDown(listener: (endpoint: string) => void): () => void;
  report(): EndpointReport[];
}

interface State {
  up: boolean;
  latency: LatencyWindow;
  cooldownMs: number;
  downSince: number;
  retryAt: number;
  lastError?: string;
  probing: boolean;
  streams: number;
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

export const createEndpointHealth = (endpoints: readonly string[], options: EndpointHealthOptions): EndpointHealth => {
  const now = options.now ?? Date.now;
  const [baseCooldown, maxCooldown] = options.cooldownMs ?? [1000, 30_000];
  const hedge: HedgeTiming = { ...DEFAULT_HEDGE, ...options.hedge };
  const clustered = endpoints.length > 1;
  const states = new Map<string, State>(
    endpoints.map((e) => [e, { up: true, latency: createLatencyWindow(), cooldownMs: baseCooldown, downSince: 0, retryAt: 0, probing: false, streams: 0 }]),
  );
  const downListeners = new Set<(endpoint: string) => void>();
  let current = endpoints[options.first ?? Math.floor(Math.random() * endpoints.length)] ?? endpoints[0] ?? '';

  const stateOf = (endpoint: string): State => {
    const s = states.get(endpoint);
    if (!s) throw new Error(`unknown ${options.kind} ${endpoint}`);
    return s;
  };
  const median = (e: string): number => stateOf(e).latency.quantile(0.5) ?? Number.POSITIVE_INFINITY;

  const order = (): string[] => {
    const up = endpoints.filter((e) => e !== current && stateOf(e).up).sort((a, b) => median(a) - median(b));
    const down = endpoints.filter((e) => !stateOf(e).up).sort((a, b) => stateOf(a).retryAt - stateOf(b).retryAt);
    return stateOf(current).up ? [current, ...up, ...down] : [...up, ...down];
  };

  /** The best endpoint that answers, when the current one does not. */
  const reelect = (): void => {
    if (stateOf(current).up) return;
    const streams = endpoints.filter((e) => stateOf(e).up).sort((a, b) => stateOf(b).streams - stateOf(a).streams);
    const best = streams.find((e) => stateOf(e).streams > 0) ?? order().find((e) => stateOf(e).up);
    if (best) current = best;
  };

  const hedgeDelayMs = (endpoint: string): number => {
    const s = stateOf(endpoint);
    if (s.latency.count() < hedge.minSamples) return hedge.initialMs;
    return Math.round(clamp((s.latency.quantile(0.99) ?? hedge.initialMs) * hedge.factor, hedge.floorMs, hedge.capMs));
  };

  return {
    endpoints,
    order,
    takeProbe: () => {
      const due = endpoints.find((e) => {
        const s = stateOf(e);
        return !s.up && !s.probing && s.retryAt <= now();
      });
      if (due) stateOf(due).probing = true;
      return due;
    },
    hedgeDelayMs,
    stallMs: (endpoint) => clamp(hedgeDelayMs(endpoint) * 2, 200, 1000),
    succeeded: (endpoint, latencyMs) => {
      const s = stateOf(endpoint);
      if (latencyMs !== undefined) s.latency.add(latencyMs);
      if (s.up) return;
      // The answer to a request sent before the endpoint was marked down, read
      // only now (a busy process reads it after its stall timer has fired): it
      // says nothing of the endpoint since, which a later request or a probe will.
      if (latencyMs !== undefined && now() - latencyMs < s.downSince) return;
      s.probing = false;
      s.up = true;
      s.cooldownMs = baseCooldown;
      s.lastError = undefined;
      if (clustered) options.logger.info(`${options.kind} ${endpoint} answering again`, { endpoint, downMs: now() - s.downSince });
      reelect();
    },
    failed: (endpoint, reason, probe = false) => {
      const s = stateOf(endpoint);
      s.lastError = reason;
      if (!s.up) {
        if (probe) {
          s.probing = false;
          s.cooldownMs = Math.min(maxCooldown, s.cooldownMs * 2);
          s.retryAt = now() + s.cooldownMs;
        }
        return;
      }
      s.up = false;
      s.probing = false;
      s.downSince = now();
      s.retryAt = now() + s.cooldownMs;
      reelect();
      if (clustered) {
        const using = stateOf(current).up ? current : undefined;
        options.logger.warn(`${options.kind} ${endpoint} not answering (${reason}); ${using ? `using ${using}` : 'no other answers either'}`, { endpoint });
      }
      for (const listener of [...downListeners]) listener(endpoint);
    },
    isUp: (endpoint) => stateOf(endpoint).up,
    use: (endpoint) => {
      const s = stateOf(endpoint);
      s.streams += 1;
      if (s.up) current = endpoint;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        s.streams -= 1;
      };
    },
    onDown: (listener) => {
      downListeners.add(listener);
      return () => downListeners.delete(listener);
    },
    report: () =>
      endpoints.map((endpoint) => {
        const s = stateOf(endpoint);
        const p50 = s.latency.quantile(0.5);
        const p99 = s.latency.quantile(0.99);
        return {
          endpoint,
          up: s.up,
          preferred: endpoint === current && s.up,
          ...(p50 !== undefined ? { p50Ms: Math.round(p50 * 10) / 10 } : {}),
          ...(p99 !== undefined ? { p99Ms: Math.round(p99 * 10) / 10 } : {}),
          hedgeDelayMs: hedgeDelayMs(endpoint),
          ...(s.up
            ? {}
            : { downSince: new Date(s.downSince).toISOString(), retryInMs: Math.max(0, s.retryAt - now()), ...(s.lastError ? { lastError: s.lastError } : {}) }),
        };
      }),
  };
};
