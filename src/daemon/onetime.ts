// --onetime: every resource once, then an exit code (0 all live, 1 any failed).
import type { Backend } from '../backends/backend.js';
import type { Logger } from '../log.js';
import type { Configuration } from './configuration.js';
import { logOutcomes, processRound, type RoundInput } from './process-resources.js';

export const runOnce = async (
  config: Configuration,
  backend: Backend,
  pipeline: RoundInput['pipeline'],
  logger: Logger,
): Promise<0 | 1> => {
  logger.info('rendering', { resources: config.resources.length, backend: backend.name });
  const outcomes = await processRound({ backend, logger, pipeline, resources: config.resources, templates: config.templates });
  logOutcomes(outcomes, logger);
  const failed = outcomes.filter((o) => !o.ok).length;
  if (failed > 0) {
    logger.error('finished with failures', { failed, total: outcomes.length });
    return 1;
  }
  logger.info('done', { resources: outcomes.length });
  return 0;
};
