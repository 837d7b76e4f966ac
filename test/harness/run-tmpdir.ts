// vitest's global setup: every file the tests make in the temporary directory
// (confdirs, histories, servers' data directories) goes under one directory of
// this run's own, removed when the run ends, so nothing piles up in /tmp from
// one run to the next. Test workers and the processes they start inherit
// TMPDIR, which os.tmpdir() and mktemp read.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-run-'));
  process.env['TMPDIR'] = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
