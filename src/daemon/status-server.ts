// --metrics-addr: /metrics (Prometheus text format), /healthz, the status
// page at / (live through /events), /status.json and /history/RESOURCE.
import { createServer } from 'node:http';
import { parseListenAddr } from '../config/listen-addr.js';
import { ConfigError, StartupError } from '../errors.js';
import { redact, type Logger } from '../log.js';
import { storeEndpointMetrics } from '../status/endpoint-metrics.js';
import { startStatusPage, type StatusContext } from '../status/serve.js';
import type { ResourceOutcome } from './process-resources.js';

interface ResourceState {
  dest: string;
  ok: boolean;
  stage?: string;
  error?: string;
  at: number;
}

export interface StatusServer {
  record(outcomes: ResourceOutcome[]): void;
  close(): Promise<void>;
}

// Secrets are masked before escaping, so no escaped spelling of one survives.
const labelValue = (s: string): string => redact(s).replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));

export const startStatusServer = async (addr: string, logger: Logger, context: StatusContext = {}): Promise<StatusServer> => {
  const listen = parseListenAddr(addr);
  if (typeof listen === 'string') throw new ConfigError(undefined, listen, { key: 'metrics-addr' });
  const states = new Map<string, ResourceState>();
  const counters = { rounds: 0, updates: 0, failures: new Map<string, number>() };
  const statusPage = startStatusPage(context, logger);

  const metrics = (): string => {
    const lines = [
      '# HELP switchyard_rounds_total Rounds of rendering done.',
      '# TYPE switchyard_rounds_total counter',
      `switchyard_rounds_total ${counters.rounds}`,
      '# HELP switchyard_updates_total Destination files replaced.',
      '# TYPE switchyard_updates_total counter',
      `switchyard_updates_total ${counters.updates}`,
      '# HELP switchyard_failures_total Resource failures by stage.',
      '# TYPE switchyard_failures_total counter',
      ...[...counters.failures].map(([stage, n]) => `switchyard_failures_total{stage="${stage}"} ${n}`),
      '# HELP switchyard_resource_ok Whether the last attempt of a resource succeeded.',
      '# TYPE switchyard_resource_ok gauge',
      ...[...states].map(([name, s]) => `switchyard_resource_ok{resource="${labelValue(name)}"} ${s.ok ? 1 : 0}`),
      ...storeEndpointMetrics(context.backend?.endpointHealth?.(), labelValue),
    ];
    return lines.join('\n') + '\n';
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics());
    } else if (path === '/healthz') {
      const failing = [...states.values()].filter((s) => !s.ok).length;
      res.writeHead(failing ? 503 : 200, { 'content-type': 'text/plain' }).end(failing ? `${failing} failing\n` : 'ok\n');
    } else if (statusPage.handles(path)) {
      statusPage.serve(path, req, res);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new StartupError(`--metrics-addr: cannot listen on ${addr}: ${err.code === 'EADDRINUSE' ? 'the address is already in use' : err.message}`)),
    );
    server.listen(listen.port, listen.host, () => resolve());
  });
  logger.info('serving metrics and status', { addr });
  return {
    record: (outcomes) => {
      statusPage.record(outcomes);
      counters.rounds += 1;
      for (const o of outcomes) {
        const base = { dest: o.resource.dest, at: Date.now() };
        if (o.ok) {
          if (o.result.outcome === 'updated') counters.updates += 1;
          states.set(o.resource.name, { ...base, ok: true });
        } else {
          counters.failures.set(o.error.stage, (counters.failures.get(o.error.stage) ?? 0) + 1);
          states.set(o.resource.name, { ...base, ok: false, stage: o.error.stage, error: o.error.detail });
        }
      }
    },
    close: () => {
      statusPage.close();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
