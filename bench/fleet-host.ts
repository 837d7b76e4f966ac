// One process of simulated fleet hosts for bench:fleet. Each host is what
// `switchyard --report` runs, built from the project's own modules the way
// the CLI builds it: its own etcd backend (own client, connections, watch),
// its own change loop, its own reporter with its own host id and lease, and
// one small resource rendered into its own directory. No history is kept
// (that costs the host's disk, not the store).
// Run by bench/fleet.ts: node fleet-host.js ENDPOINTS FIRST COUNT WORKDIR
// Prints "ready <n>" once every host finished its first round; SIGTERM stops
// every host (reports withdrawn) and exits 0.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBackend } from '../src/backends/index.js';
import { hasLeases, type Backend } from '../src/backends/backend.js';
import { backendOptionsOf, resolveRunOptions } from '../src/config/run-options.js';
import { createChangeLoop, type ChangeLoop } from '../src/daemon/change-loop.js';
import { loadConfiguration } from '../src/daemon/configuration.js';
import { createReporter, type Reporter } from '../src/fleet/reporter.js';
import { createLogger } from '../src/log.js';
import { FLEET_KEY_DIR, FLEET_PREFIX, FLEET_REPORT_PREFIX, FLEET_REPORT_TTL, fleetHostId } from './measure/fleet-layout.js';

interface Host {
  id: string;
  backend: Backend;
  loop: ChangeLoop;
  reporter: Reporter;
}

const [endpointList = '', firstText = '0', countText = '0', work = ''] = process.argv.slice(2);
const endpoints = endpointList.split(',').filter(Boolean);
const first = Number(firstText);
const count = Number(countText);
if (endpoints.length === 0 || !Number.isInteger(first) || !Number.isInteger(count) || count <= 0 || work === '') {
  console.error('usage: fleet-host.js ENDPOINTS FIRST COUNT WORKDIR');
  process.exit(2);
}

const confdirOf = (id: string): string => {
  const dir = join(work, id);
  mkdirSync(join(dir, 'conf.d'), { recursive: true });
  mkdirSync(join(dir, 'templates'), { recursive: true });
  writeFileSync(join(dir, 'templates', 'app.hbs'), 'upstream app { server {{getv "/value"}}; }\n');
  writeFileSync(
    join(dir, 'conf.d', 'app.toml'),
    `[template]\nsrc = "app.hbs"\ndest = ${JSON.stringify(join(dir, 'app.conf'))}\nprefix = "${FLEET_PREFIX}"\nkeys = ["${FLEET_KEY_DIR}"]\n`,
  );
  return dir;
};

const startHost = async (id: string): Promise<Host> => {
  const confdir = confdirOf(id);
  const options = await resolveRunOptions({
    confdir, backend: 'etcd', nodes: endpoints, report: true, hostId: id, reportPrefix: FLEET_REPORT_PREFIX, reportTtl: FLEET_REPORT_TTL, logLevel: 'warn',
  }, {});
  const logger = createLogger({ level: options.logLevel }, { host: id });
  const config = await loadConfiguration(options.confdir, options.prefix, options.policy);
  const backend = await loadBackend('etcd', backendOptionsOf(options), logger);
  if (!hasLeases(backend) || !options.report) throw new Error(`${id}: the etcd backend holds no leases`);
  const reporter = createReporter({ store: backend, prefix: options.reportPrefix, hostId: id, ttlMs: options.report.ttlMs, logger });
  const loop = createChangeLoop({
    backend,
    logger,
    pipeline: { noop: options.noop, syncOnly: options.syncOnly, keepStageFile: options.keepStageFile, commandTimeoutMs: options.commandTimeoutMs, renderLimits: options.renderLimits },
    wait: options.wait,
    onRound: reporter.record,
  });
  await loop.start(config);
  return { id, backend, loop, reporter };
};

const hosts: Host[] = [];
const stop = async (): Promise<void> => {
  await Promise.all(
    hosts.map(async (h) => {
      await h.loop.stop();
      await h.reporter.close();
      await h.backend.close();
    }),
  );
  process.exit(0);
};
process.once('SIGTERM', () => void stop());

// A few at a time: 50 hosts starting at once on a loaded machine time out their first watch.
const ids = Array.from({ length: count }, (_, i) => fleetHostId(first + i));
for (let i = 0; i < ids.length; i += 5) hosts.push(...(await Promise.all(ids.slice(i, i + 5).map(startHost))));
console.log(`ready ${hosts.length}`);
