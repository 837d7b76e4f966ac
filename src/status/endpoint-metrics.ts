// The store's endpoints (etcd members, Consul agents) in /metrics: whether
// each answers, which one requests go to first, recent answer times and the
// hedge delay.
import type { EndpointReport } from '../backends/endpoint-health/health.js';

const seconds = (ms: number): string => String(Math.round(ms) / 1000);

/** Prometheus lines for each endpoint; `label` escapes a label value. */
export const storeEndpointMetrics = (report: readonly EndpointReport[] | undefined, label: (s: string) => string): string[] => {
  if (!report || report.length === 0) return [];
  const at = (r: EndpointReport, extra = ''): string => `{endpoint="${label(r.endpoint)}"${extra}}`;
  return [
    '# HELP switchyard_store_endpoint_up Whether a store endpoint (etcd member, Consul agent) answers.',
    '# TYPE switchyard_store_endpoint_up gauge',
    ...report.map((r) => `switchyard_store_endpoint_up${at(r)} ${r.up ? 1 : 0}`),
    '# HELP switchyard_store_endpoint_preferred Whether requests go to this endpoint first.',
    '# TYPE switchyard_store_endpoint_preferred gauge',
    ...report.map((r) => `switchyard_store_endpoint_preferred${at(r)} ${r.preferred ? 1 : 0}`),
    '# HELP switchyard_store_endpoint_latency_seconds Answer time of recent requests to a store endpoint.',
    '# TYPE switchyard_store_endpoint_latency_seconds gauge',
    ...report.flatMap((r) => [
      ...(r.p50Ms !== undefined ? [`switchyard_store_endpoint_latency_seconds${at(r, ',quantile="0.5"')} ${seconds(r.p50Ms)}`] : []),
      ...(r.p99Ms !== undefined ? [`switchyard_store_endpoint_latency_seconds${at(r, ',quantile="0.99"')} ${seconds(r.p99Ms)}`] : []),
    ]),
    '# HELP switchyard_store_endpoint_hedge_delay_seconds How long a read waits for this endpoint before asking another.',
    '# TYPE switchyard_store_endpoint_hedge_delay_seconds gauge',
    ...report.map((r) => `switchyard_store_endpoint_hedge_delay_seconds${at(r)} ${seconds(r.hedgeDelayMs)}`),
  ];
};
