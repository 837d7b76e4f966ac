// Where a canary's numbers come from: a source that counts each color's
// requests and failures (5xx answers and connection failures) over an
// interval. Implemented for HAProxy's stats socket and for an nginx access
// log in the JSON format the README gives (src/canary/metrics/).
import type { Color } from '../bluegreen/types.js';

export interface ColorCounts {
  /** Requests the color answered or should have answered in the interval. */
  requests: number;
  /** Of those, 5xx answers and connection/response failures. */
  failures: number;
}

export type CountsByColor = Record<Color, ColorCounts>;

export type MetricSourceSpec =
  | { kind: 'haproxy'; socket: string; backend?: string }
  | { kind: 'nginx-log'; file: string };

export interface MetricSource {
  /** For logs and errors, e.g. "HAProxy stats socket /run/haproxy.sock (backend web_live)". */
  readonly description: string;
  /** Starts an interval: remembers the counters (or the log position) now. */
  mark(): Promise<void>;
  /** Each color's requests and failures since the last mark(). */
  read(): Promise<CountsByColor>;
  close(): Promise<void>;
}

/** Opens a source; servers and log lines are matched to a color by its addr (host:port). */
export type OpenMetricSource = (spec: MetricSourceSpec, addrs: Record<Color, string>) => Promise<MetricSource>;
