// Waiting on rendered files: inotify on the directory for a prompt answer,
// a slow poll as a safety net; and the per-resource render counters.
import { existsSync, readdirSync, readFileSync, watch } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const readOr = (file: string): string => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

/** Resolves once `file` contains `needle`; rejects after timeoutMs. */
export const waitForContent = (file: string, needle: string, timeoutMs: number): Promise<void> =>
  new Promise((resolve, reject) => {
    const name = basename(file);
    const done = (err?: Error): void => {
      watcher.close();
      clearInterval(poll);
      clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    };
    const check = (): void => {
      if (readOr(file).includes(needle)) done();
    };
    const watcher = watch(dirname(file), (_event, changed) => {
      if (changed === null || changed === name) check();
    });
    const poll = setInterval(check, 100);
    const timer = setTimeout(() => done(new Error(`${file} did not show ${needle} within ${timeoutMs} ms`)), timeoutMs);
    check();
  });

/** Lines in each counter file (one line per reload_cmd run), by resource name. */
export const readRenderCounts = (countDir: string): Map<string, number> => {
  const counts = new Map<string, number>();
  if (!existsSync(countDir)) return counts;
  for (const name of readdirSync(countDir)) {
    counts.set(name, readOr(join(countDir, name)).split('\n').filter((l) => l !== '').length);
  }
  return counts;
};

/** after - before, per resource, leaving out resources that did not change. */
export const countDeltas = (before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): Map<string, number> => {
  const deltas = new Map<string, number>();
  for (const [name, n] of after) {
    const d = n - (before.get(name) ?? 0);
    if (d !== 0) deltas.set(name, d);
  }
  return deltas;
};
