// One line of the nginx access log in the JSON format the README gives
// (`log_format ... escape=json '{"status":"$status","upstream_addr":...}'`),
// read as the upstream attempts it records. nginx writes one entry per
// attempt, separated by ", " (a retry on the next server) or " : " (an
// internal redirect to another upstream): "127.0.0.1:9001, 127.0.0.1:9002"
// with upstream_status "502, 200" is a failure of :9001 and a success of
// :9002. An attempt fails when its upstream_status is 5xx; when the answer
// to the client is 502 or 504, the last attempt failed too (nginx could not
// get an answer from it).

export interface UpstreamAttempt {
  addr: string;
  failed: boolean;
}

const SEPARATOR = /, | : /;
const GATEWAY_FAILURES = new Set(['502', '504']);

const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;

const isFailure = (status: string | undefined): boolean => status !== undefined && /^5\d\d$/.test(status);

/** The attempts of one log line; undefined when the line is not such a JSON object. */
export const parseLogLine = (line: string): UpstreamAttempt[] | undefined => {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return undefined;
  const record = entry as Record<string, unknown>;
  const status = text(record['status']);
  const upstreams = text(record['upstream_addr']);
  const upstreamStatus = text(record['upstream_status']);
  if (status === undefined || upstreams === undefined || upstreamStatus === undefined) return undefined;
  if (upstreams.trim() === '' || upstreams.trim() === '-') return [];
  const addrs = upstreams.split(SEPARATOR).map((a) => a.trim());
  const statuses = upstreamStatus.split(SEPARATOR).map((s) => s.trim());
  return addrs.map((addr, i) => ({
    addr,
    failed: isFailure(statuses[i]) || (i === addrs.length - 1 && GATEWAY_FAILURES.has(status.trim())),
  }));
};

/** The fields the JSON log_format needs, for error messages. */
export const REQUIRED_LOG_FIELDS = ['status', 'upstream_addr', 'upstream_status'];
