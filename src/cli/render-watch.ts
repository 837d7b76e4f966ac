// The authoring loop of `switchyard render TEMPLATE --data FILE --watch`:
// render, then render again whenever the template or a data file changes,
// until SIGINT or SIGTERM. A broken edit is reported and the loop goes on.
import type { Logger } from '../log.js';

/** Renders now and on every change; resolves with 0 once stopped. */
export const watchAndRender = async (files: string[], render: () => Promise<number>, logger: Logger): Promise<number> => {
  const { watch } = await import('chokidar');
  const watcher = watch(files, { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 50, pollInterval: 20 } });
  let running: Promise<void> = Promise.resolve();
  let queued = false;
  // Renders one at a time; changes during a render make one more.
  const again = (): void => {
    if (queued) return;
    queued = true;
    running = running.then(async () => {
      queued = false;
      const code = await render();
      logger.info(code === 0 ? 'rendered' : 'render failed; waiting for the next change', { files: files.length });
    });
  };
  await new Promise<void>((resolve, reject) => {
    watcher.once('ready', resolve);
    watcher.once('error', reject);
  });
  watcher.on('all', again);
  again();
  logger.info('watching the template and data for changes', { files });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await watcher.close();
  await running;
  return 0;
};
