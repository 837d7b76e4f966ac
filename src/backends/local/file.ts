// The file backend: YAML/JSON documents flattened to keys, watched with
// chokidar. No server needed, which makes it the quickstart's backend.
import { dirname, resolve } from 'node:path';
import type { FSWatcher } from 'chokidar';
import { BackendError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Backend, BackendOptions, Snapshot, WatchHandle, WatchListener } from '../backend.js';
import { DocumentError, invalidUtf8Of, readDocuments } from './documents.js';
import { filterUnder } from '../keys.js';

export const FILE_BACKEND = 'file';

/** How long a burst of file events is merged into one notification (ms). */
const SETTLE_MS = 50;

export const createFileBackend = (options: BackendOptions, logger: Logger): Backend => {
  const files = options.files.map((f) => resolve(f));
  if (files.length === 0) {
    throw new BackendError(FILE_BACKEND, '(none)', 'the file backend needs at least one --file');
  }
  const listeners = new Set<WatchListener>();
  let watcher: FSWatcher | undefined;
  let settle: NodeJS.Timeout | undefined;

  const notify = (): void => {
    clearTimeout(settle);
    settle = setTimeout(() => {
      for (const l of listeners) l.onChange();
    }, SETTLE_MS);
  };

  const ensureWatcher = async (): Promise<void> => {
    if (watcher) return;
    const { watch } = await import('chokidar');
    // The directories are watched, not the files: editors and deploy tools
    // replace a file by rename or delete and re-create it, and a watch on the
    // file itself would end with the first unlink.
    const wanted = new Set(files);
    const dirs = [...new Set(files.map((f) => dirname(f)))];
    watcher = watch(dirs, {
      ignoreInitial: true,
      depth: 0,
      ignored: (path: string) => !dirs.includes(path) && !wanted.has(path),
      awaitWriteFinish: { stabilityThreshold: 30, pollInterval: 10 },
    });
    watcher.on('all', (event, path) => {
      if (!wanted.has(path)) return;
      logger.debug('file changed', { event, path });
      notify();
    });
    watcher.on('error', (err) => {
      for (const l of listeners) l.onError(err instanceof Error ? err : new Error(String(err)));
    });
    await new Promise<void>((ready) => watcher?.once('ready', () => ready()));
  };

  return {
    name: FILE_BACKEND,
    endpoints: files,
    getValues: async (paths): Promise<Snapshot> => {
      try {
        const all = await readDocuments(files);
        const values = filterUnder(all, paths);
        return { values, invalidUtf8: invalidUtf8Of(all).filter((k) => values.has(k)) };
      } catch (err) {
        const file = err instanceof DocumentError ? err.file : files.join(',');
        throw new BackendError(FILE_BACKEND, file, (err as Error).message.replace(`${file}: `, ''), { cause: err });
      }
    },
    watch: async (_path, listener): Promise<WatchHandle> => {
      listeners.add(listener);
      await ensureWatcher();
      return {
        close: async () => {
          listeners.delete(listener);
        },
      };
    },
    close: async () => {
      clearTimeout(settle);
      listeners.clear();
      await watcher?.close();
      watcher = undefined;
    },
  };
};
