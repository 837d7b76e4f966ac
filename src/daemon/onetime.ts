// --onetime: every resource once, then an exit code (0 all live, 1 any failed).
import type { Backend } from '../backends/backend.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import { createEagerSettler } from '../resource/settle.js';
import type { Configuration } from './configuration.js';
import { logOutcomes, processRound, type RoundInput } from './process-resources.js';

export const runOnce = async (
  config: Configuration,
  backend: Backend,
  pipeline: RoundInput['pipeline'],
  logger: Logger,
): Promise<0 | 1> => {
  logger.info('rendering', { resources: config.resources.length, backend: backend.name });
  // Each file's disk work after it went live (its directory's fsync, the
  // backup's removal, the history entry) runs beside the next resource's
  // render; the run ends once all of it has.
  const settler = createEagerSettler((err) => logger.error('work after an update failed', { err: messageOf(err) }));
  let outcomes;
  try {
    outcomes = await processRound({ backend, logger, pipeline: { ...pipeline, settle: settler }, resources: config.resources, templates: config.templates });
  } finally {
    await settler.settled();
  }
  logOutcomes(outcomes, logger);
  const failed = outcomes.filter((o) => !o.ok).length;
  if (failed > 0) {
    logger.error('finished with failures', { failed, total: outcomes.length });
    return 1;
  }
  logger.info('done', { resources: outcomes.length });
  return 0;
};
