// What a run loads at start-up (bin/switchyard → bin/run-bundle.cjs): the
// bundle compiled with its code cache, accepted by V8; --version and a plain
// one-shot without yargs or any other library file; node:child_process only
// when a run runs a command; never node:crypto, node:os, node:perf_hooks or
// node:fs/promises for a one-shot, whatever the size of what it writes.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../harness/cli.js';
import { makeConfdir, type Confdir } from '../harness/confdir.js';
import { createLoadRecorder, type Loads as Recorded } from '../harness/loads.js';

interface Loads extends Recorded {
  result: CliResult;
}

let work: string;
let recorder: ReturnType<typeof createLoadRecorder>;
let conf: Confdir;
let env: Record<string, string>;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'switchyard-loads-'));
  recorder = createLoadRecorder(work);
  conf = makeConfdir();
  conf.addResource({ name: 'app', template: 'port={{getv "/port"}}\n', fields: { dest: join(conf.dir, 'out.conf'), prefix: '/app', keys: ['/port'] } });
  // The env backend: no library of its own (the file backend's YAML reader is one).
  env = { SWITCHYARD_BACKEND: 'env', APP_PORT: '9001' };
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(conf.dir, { recursive: true, force: true });
});

const loadsOf = async (args: string[]): Promise<Loads> => {
  const recording = recorder.recording();
  const result = await runCli(args, { env: { ...env, ...recording.env } });
  return { result, ...recording.read() };
};

const libraries = (l: Loads): string[] => l.files.filter((f) => f.includes('/dist/bundle/vendor/'));

describe('start-up', () => {
  it('compiles the bundle with the code cache made at build time, which V8 accepts', async () => {
    const l = await loadsOf(['--version']);
    expect(l.result.code, l.result.stderr).toBe(0);
    expect(l.bundle).toEqual({ cached: true, rejected: false });
  });

  it('answers --version without yargs or any other library', async () => {
    const l = await loadsOf(['--version']);
    expect(l.result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(libraries(l)).toEqual([]);
    // The recording sees the libraries a command loads, with their caches.
    const help = await loadsOf(['--help']);
    expect(help.result.code).toBe(0);
    expect(libraries(help).map((f) => f.split('/').pop())).toContain('yargs.js');
  });

  it('loads neither node:crypto, node:child_process, node:os, node:perf_hooks nor node:fs/promises for a one-shot run', async () => {
    const first = await loadsOf(['--onetime', '--confdir', conf.dir]);
    expect(first.result.code, first.result.stderr).toBe(0);
    expect(first.result.stderr).toMatch(/updated/);
    // The first run wrote the file and its history entry.
    const again = await loadsOf(['--onetime', '--confdir', conf.dir]);
    expect(again.result.code, again.result.stderr).toBe(0);
    expect(again.result.stderr).not.toMatch(/updated/);
    for (const l of [first, again]) {
      for (const builtin of ['crypto', 'child_process', 'os', 'perf_hooks', 'fs/promises']) expect(l.builtins).not.toContain(builtin);
      expect(libraries(l)).toEqual([]);
    }
  });

  it('writes a large file and its history entry without node:crypto; the entry’s sha256 is worked out when listed', async () => {
    const c = makeConfdir();
    const historyDir = join(work, 'history-big');
    try {
      const dest = join(c.dir, 'out.conf');
      c.addResource({ name: 'big', template: `${'x'.repeat(50_000)}\n{{getv "/port"}}\n`, fields: { dest, prefix: '/app', keys: ['/port'] } });
      const l = await loadsOf(['--onetime', '--confdir', c.dir, '--history-dir', historyDir]);
      expect(l.result.code, l.result.stderr).toBe(0);
      expect(l.result.stderr).toMatch(/updated/);
      expect(l.builtins).not.toContain('crypto');
      const listed = await runCli(['history', 'big', '--json', '--confdir', c.dir, '--history-dir', historyDir], { env });
      expect(listed.code, listed.stderr).toBe(0);
      const rows = JSON.parse(listed.stdout) as { sha256: string | null }[];
      expect(rows).toHaveLength(1);
      expect(rows[0]!.sha256).toBe(createHash('sha256').update(readFileSync(dest)).digest('hex'));
    } finally {
      rmSync(c.dir, { recursive: true, force: true });
    }
  });

  it('loads node:child_process when a resource has a command to run', async () => {
    const c = makeConfdir();
    try {
      c.addResource({ name: 'cmd', template: 'x\n', fields: { dest: join(c.dir, 'out.conf'), reload_cmd: 'true' } });
      const l = await loadsOf(['--onetime', '--confdir', c.dir]);
      expect(l.result.code, l.result.stderr).toBe(0);
      expect(l.builtins).toContain('child_process');
    } finally {
      rmSync(c.dir, { recursive: true, force: true });
    }
  });
});
