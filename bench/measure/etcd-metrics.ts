// Reads etcd's Prometheus /metrics: open watch streams and watchers, and
// how many RPCs of each kind the server started (reads are Txn calls).
export interface EtcdMetrics {
  /** etcd_debugging_mvcc_watch_stream_total: gRPC watch streams open now. */
  watchStreams: number;
  /** etcd_debugging_mvcc_watcher_total: watchers (watch ids) open now. */
  watchers: number;
  /** grpc_server_started_total by method (Watch, Txn, Range, Put, ...). */
  started: Map<string, number>;
}

const SAMPLE = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$/;

export const scrapeEtcdMetrics = async (endpoint: string): Promise<EtcdMetrics> => {
  const res = await fetch(`${endpoint}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${endpoint}/metrics answered ${res.status}`);
  const metrics: EtcdMetrics = { watchStreams: Number.NaN, watchers: Number.NaN, started: new Map() };
  for (const line of (await res.text()).split('\n')) {
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const [, name, labels = '', raw] = m;
    const value = Number(raw);
    if (name === 'etcd_debugging_mvcc_watch_stream_total') metrics.watchStreams = value;
    else if (name === 'etcd_debugging_mvcc_watcher_total') metrics.watchers = value;
    else if (name === 'grpc_server_started_total' && labels.includes('grpc_service="etcdserverpb.')) {
      const method = /grpc_method="(\w+)"/.exec(labels)?.[1] ?? '?';
      metrics.started.set(method, (metrics.started.get(method) ?? 0) + value);
    }
  }
  return metrics;
};

/** RPCs of `method` started between two scrapes. */
export const startedBetween = (before: EtcdMetrics, after: EtcdMetrics, method: string): number =>
  (after.started.get(method) ?? 0) - (before.started.get(method) ?? 0);
