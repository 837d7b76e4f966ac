// Parses --metrics and opens the matching source.
import { type MetricSourceSpec, type OpenMetricSource } from '../metric-source.js';

/** `haproxy:SOCKET[:BACKEND]` or `nginx-log:FILE`; throws naming the value. */
export const parseMetricsSpec = (text: string): MetricSourceSpec => {
  throw new Error(`--metrics ${JSON.stringify(text)}: not built yet`);
};

export const openMetricSource: OpenMetricSource = async (spec) => {
  throw new Error(`--metrics ${spec.kind}: not built yet`);
};
