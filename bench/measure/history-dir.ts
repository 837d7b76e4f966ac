// The switchyard processes a bench starts keep their history of applied
// renders in a temporary directory (removed when the bench exits), not in the
// host's /var/lib/switchyard/history: the variable is inherited by every
// process the bench starts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const keepHistoryInTemp = (): void => {
  if (process.env['SWITCHYARD_HISTORY_DIR'] !== undefined) return;
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-history-'));
  process.env['SWITCHYARD_HISTORY_DIR'] = dir;
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
};
