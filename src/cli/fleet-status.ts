// The fleet status command: reads the reports and prints them.
import { hasLeases, type Backend } from '../backends/backend.js';
import { loadBackend } from '../backends/index.js';
import { BACKEND_OPTIONS } from '../config/option-table.js';
import { backendOptionsOf, resolveRunOptions } from '../config/run-options.js';
import { ConfigError } from '../errors.js';
import { formatFleetStatus, readFleetStatus } from '../fleet/status.js';
import { createLogger, type Logger } from '../log.js';
import { EXIT_OK, exitWith, reportError } from './exit.js';
import { givenFlags } from './options.js';

export const fleetStatusCommand = async (argv: Record<string, unknown>): Promise<void> => {
  let logger: Logger = createLogger();
  let backend: Backend | undefined;
  let code = EXIT_OK;
  try {
    const options = await resolveRunOptions(givenFlags(argv, BACKEND_OPTIONS));
    logger = createLogger({ level: options.logLevel, format: options.logFormat });
    backend = await loadBackend(options.backend, backendOptionsOf(options), logger);
    if (!hasLeases(backend)) throw new ConfigError(undefined, `fleet status needs a store hosts report to (etcd or consul), not the ${backend.name} backend`, { key: 'backend' });
    const status = await readFleetStatus(backend, {
      prefix: options.reportPrefix,
      ...(typeof argv['resource'] === 'string' ? { resource: argv['resource'] } : {}),
      warn: (line) => logger.warn(`unreadable report: ${line}`),
    });
    process.stdout.write(argv['json'] === true ? JSON.stringify(status) + '\n' : formatFleetStatus(status));
  } catch (err) {
    code = reportError(err, logger);
  } finally {
    await backend?.close().catch(() => undefined);
  }
  exitWith(code);
};
