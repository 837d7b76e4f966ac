// `switchyard render --confdir DIR --at-revision R [--resource RESOURCE]`:
// what each resource rendered from the store as it was at revision R (etcd).
import { loadBackend } from '../backends/index.js';
import type { Backend } from '../backends/backend.js';
import { backendOptionsOf, resolveRunOptions } from '../config/run-options.js';
import { loadConfiguration } from '../daemon/configuration.js';
import { ConfigError, messageOf } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { renderTemplate } from '../template/engine.js';
import { EXIT_FAILED, EXIT_OK, exitWith, reportError } from './exit.js';
import { positiveInteger, resourceFileName } from './resource-arg.js';
import { givenFlags } from './options.js';

export const renderAtRevision = async (argv: Record<string, unknown>): Promise<void> => {
  let logger: Logger = createLogger();
  let backend: Backend | undefined;
  try {
    const revision = String(positiveInteger(argv['at-revision'], '--at-revision'));
    const options = await resolveRunOptions(givenFlags(argv));
    logger = createLogger({ level: options.logLevel, format: options.logFormat });
    const config = await loadConfiguration(options.confdir, options.prefix);
    const only = argv['resource'] === undefined ? undefined : resourceFileName(String(argv['resource']));
    const resources = only ? config.resources.filter((r) => r.name === only) : config.resources;
    if (only && resources.length === 0) throw new ConfigError(undefined, `no resource "${only}" in ${options.confdir}/conf.d`, { key: 'resource' });
    backend = await loadBackend(options.backend, backendOptionsOf(options), logger);
    if (!backend.getValuesAt) throw new ConfigError(undefined, `the ${backend.name} backend keeps no past revisions; --at-revision needs etcd`, { key: 'at-revision' });
    const snapshot = await backend.getValuesAt([...new Set(resources.flatMap((r) => r.paths))], revision);
    let failed = 0;
    for (const resource of resources) {
      const template = config.templates.get(resource.name);
      if (!template) continue;
      try {
        const { text } = await renderTemplate(template, { values: snapshot.values, prefix: resource.prefix, limits: options.renderLimits });
        process.stdout.write(only ? text : `# ${resource.name}\n${text}`);
      } catch (err) {
        failed += 1;
        logger.error(`${resource.name}: render failed at revision ${revision}: ${messageOf(err)}`, { template: template.file });
      }
    }
    await backend.close();
    exitWith(failed ? EXIT_FAILED : EXIT_OK);
  } catch (err) {
    await backend?.close().catch(() => undefined);
    exitWith(reportError(err, logger));
  }
};
