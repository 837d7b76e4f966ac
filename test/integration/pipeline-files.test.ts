// The pipeline on real files with small real commands: what is written,
// with which mode and owner, what runs, and that nothing is left behind.
import { chmodSync, existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TemplateResource } from '../../src/config/resource.js';
import { ResourceError } from '../../src/errors.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { CommandError } from '../../src/process/command.js';
import { applyResource, cleanStaleStageFiles, ReloadFailedError, type PipelineOptions } from '../../src/resource/pipeline.js';
import type { Settler } from '../../src/resource/settle.js';

let dir: string;
let dest: string;
const marker = (name: string) => join(dir, `${name}-ran`);
const resource = (over: Partial<TemplateResource> = {}): TemplateResource => ({
  name: 'app.toml',
  file: join(dir, 'app.toml'),
  src: join(dir, 'app.hbs'),
  dest,
  prefix: '/',
  keys: [],
  paths: [],
  checkCmd: `touch ${marker('check')}`,
  reloadCmd: `touch ${marker('reload')}`,
  ...over,
});
const options = (over: Partial<PipelineOptions> = {}): PipelineOptions => ({
  noop: false,
  syncOnly: false,
  keepStageFile: false,
  commandTimeoutMs: 10_000,
  logger: silentLogger,
  ...over,
});
const tempFiles = () => readdirSync(dir).filter((n) => n.includes('.switchyard-'));
const ran = () => ['check', 'reload'].filter((n) => existsSync(marker(n)));
const clearMarkers = () => ['check', 'reload'].forEach((n) => rmSync(marker(n), { force: true }));
const failure = async (p: Promise<unknown>): Promise<ResourceError> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ResourceError);
  return err as ResourceError;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-pipeline-'));
  dest = join(dir, 'app.conf');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Holds the work handed to it until run() is called. */
const heldSettler = (): Settler & { held: () => number; run: () => Promise<void> } => {
  const jobs: (() => Promise<void>)[] = [];
  const run = async (): Promise<void> => {
    for (let job = jobs.shift(); job; job = jobs.shift()) await job();
  };
  return { defer: (job) => void jobs.push(job), settled: run, mark: run, held: () => jobs.length, run };
};

describe('applyResource on files', () => {
  it('with a settler, returns once dest is live and leaves the backup removal to it', async () => {
    writeFileSync(dest, 'old\n');
    const settle = heldSettler();
    const noReload = resource({ checkCmd: undefined, reloadCmd: undefined });
    expect(await applyResource(noReload, 'new\n', options({ settle }))).toEqual({ outcome: 'updated' });
    expect(readFileSync(dest, 'utf8')).toBe('new\n');
    // The previous file's backup is still there: its removal waits in the settler.
    expect(tempFiles()).toHaveLength(1);
    expect(tempFiles()[0]).toMatch(/^\.app\.conf\.switchyard-backup-/);
    expect(settle.held()).toBe(1);
    await settle.run();
    expect(tempFiles()).toEqual([]);
    expect(readFileSync(dest, 'utf8')).toBe('new\n');
  });

  it('logs at debug where the time of an update went', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', format: 'json', write: (l) => lines.push(l) });
    await applyResource(resource(), 'one\n', options({ logger }));
    const timings = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['msg'] === 'update timings');
    expect(timings).toBeDefined();
    for (const step of ['compare', 'stage', 'check', 'rename', 'after']) expect(typeof timings?.[step]).toBe('number');
  });

  it('with a settler and a reload, reloads before returning and still leaves no temp file once settled', async () => {
    writeFileSync(dest, 'old\n');
    const settle = heldSettler();
    expect(await applyResource(resource(), 'new\n', options({ settle }))).toEqual({ outcome: 'updated' });
    expect(ran()).toEqual(['check', 'reload']);
    await settle.run();
    expect(tempFiles()).toEqual([]);
  });

  it('creates a new dest with mode 0644, runs check and reload, leaves no temp file', async () => {
    expect(await applyResource(resource(), 'one\n', options())).toEqual({ outcome: 'updated' });
    expect(readFileSync(dest, 'utf8')).toBe('one\n');
    expect(statSync(dest).mode & 0o7777).toBe(0o644);
    expect(ran()).toEqual(['check', 'reload']);
    expect(tempFiles()).toEqual([]);
  });

  it('runs nothing when content, mode and owner are unchanged', async () => {
    writeFileSync(dest, 'same\n');
    chmodSync(dest, 0o640);
    expect(await applyResource(resource(), 'same\n', options())).toEqual({ outcome: 'unchanged' });
    expect(ran()).toEqual([]);
  });

  it("keeps dest's mode by default and applies the resource's mode and owner", async () => {
    writeFileSync(dest, 'old\n');
    chmodSync(dest, 0o640);
    await applyResource(resource(), 'new\n', options());
    expect(statSync(dest).mode & 0o7777).toBe(0o640);
    clearMarkers();
    // Same content, other mode and owner: still an update.
    expect((await applyResource(resource({ mode: 0o600, uid: 65534, gid: 65534 }), 'new\n', options())).outcome).toBe('updated');
    const info = statSync(dest);
    expect([info.mode & 0o7777, info.uid, info.gid]).toEqual([0o600, 65534, 65534]);
    expect(ran()).toEqual(['check', 'reload']);
    clearMarkers();
    expect((await applyResource(resource({ mode: 0o600, uid: 65534, gid: 65534 }), 'new\n', options())).outcome).toBe('unchanged');
    expect(ran()).toEqual([]);
  });

  it('noop prints a unified diff naming dest and writes nothing', async () => {
    writeFileSync(dest, 'server a;\n');
    const printed: string[] = [];
    const result = await applyResource(resource(), 'server b;\n', options({ noop: true, print: (t) => printed.push(t) }));
    expect(result.outcome).toBe('would-update');
    expect(printed.join('')).toBe(result.diff);
    expect(result.diff).toContain(`--- ${dest}`);
    expect(result.diff).toContain(`+++ ${dest}`);
    expect(result.diff).toMatch(/^-server a;$/m);
    expect(result.diff).toMatch(/^\+server b;$/m);
    expect(readFileSync(dest, 'utf8')).toBe('server a;\n');
    expect(ran()).toEqual([]);
    expect(tempFiles()).toEqual([]);
  });

  it('syncOnly writes the file and runs no command', async () => {
    expect((await applyResource(resource(), 'x\n', options({ syncOnly: true }))).outcome).toBe('updated');
    expect(readFileSync(dest, 'utf8')).toBe('x\n');
    expect(ran()).toEqual([]);
  });

  it('a failed check leaves dest untouched and no stage file; the error carries the command', async () => {
    writeFileSync(dest, 'good\n');
    const err = await failure(
      applyResource(resource({ checkCmd: 'sh -c "echo bad value >&2; exit 4" {{src}}' }), 'bad\n', options()),
    );
    expect(err.stage).toBe('check');
    expect(err.resource).toBe('app.toml');
    expect(err.message).toMatch(/app\.toml: check failed: command `.*` exited with code 4; stderr: bad value/);
    expect(err.cause).toBeInstanceOf(CommandError);
    expect(readFileSync(dest, 'utf8')).toBe('good\n');
    expect(ran()).toEqual([]);
    expect(tempFiles()).toEqual([]);
  });

  it('passes the staged file to the check and keeps it on failure when asked', async () => {
    const err = await failure(
      applyResource(resource({ checkCmd: `grep -q never {{src}}` }), 'staged content\n', options({ keepStageFile: true })),
    );
    expect(err.stage).toBe('check');
    const kept = tempFiles();
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatch(/^\.app\.conf\.switchyard-stage-[0-9a-f]{12}$/);
    expect(readFileSync(join(dir, kept[0] ?? ''), 'utf8')).toBe('staged content\n');
    expect(existsSync(dest)).toBe(false);
  });

  it('a check that hangs is killed at the timeout', async () => {
    const err = await failure(applyResource(resource({ checkCmd: 'sleep 30' }), 'x\n', options({ commandTimeoutMs: 300 })));
    expect(err.stage).toBe('check');
    expect((err.cause as CommandError).timedOut).toBe(true);
    expect(tempFiles()).toEqual([]);
  });

  it('a failed reload puts the previous file back and reloads again', async () => {
    writeFileSync(dest, 'previous\n');
    chmodSync(dest, 0o640);
    // Fails while the new file is live, succeeds once the previous one is back.
    const reloadCmd = `if grep -q next {{dest}}; then echo refused >&2; exit 3; fi; touch ${marker('reload')}`;
    const err = await failure(applyResource(resource({ reloadCmd }), 'next\n', options()));
    expect(err).toBeInstanceOf(ReloadFailedError);
    const reloadErr = err as ReloadFailedError;
    expect([reloadErr.stage, reloadErr.rolledBack, reloadErr.secondReload]).toEqual(['reload', true, 'succeeded']);
    expect(err.message).toMatch(/exited with code 3; stderr: refused; the previous file was restored and reloaded/);
    expect(readFileSync(dest, 'utf8')).toBe('previous\n');
    expect(statSync(dest).mode & 0o7777).toBe(0o640);
    expect(ran()).toEqual(['check', 'reload']);
    expect(tempFiles()).toEqual([]);
  });

  it('a failed reload without a previous file removes dest and says whether the second reload worked', async () => {
    const err = (await failure(applyResource(resource({ reloadCmd: 'false' }), 'new\n', options()))) as ReloadFailedError;
    expect(err.secondReload).toBe('failed');
    expect(err.message).toMatch(/dest was removed .*reload after restoring failed too/);
    expect(existsSync(dest)).toBe(false);
    expect(tempFiles()).toEqual([]);
  });

  it('replaces the target of a symlinked dest and keeps the link', async () => {
    const target = join(dir, 'target.conf');
    writeFileSync(target, 'old\n');
    symlinkSync(target, dest);
    await applyResource(resource(), 'new\n', options());
    expect(lstatSync(dest).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('new\n');
  });

  it('reports a dest that cannot be staged as stage failure', async () => {
    const err = await failure(applyResource(resource({ dest: '/proc/version/nope.conf' }), 'x\n', options()));
    expect(err.stage).toBe('stage');
  });
});

describe('cleanStaleStageFiles', () => {
  it('removes only stage and backup files of the given dests', async () => {
    const names = [
      '.app.conf.switchyard-stage-0123456789ab',
      '.app.conf.switchyard-backup-abcdef012345',
      '.other.conf.switchyard-stage-0123456789ab',
      '.app.conf.swp',
      'app.conf',
      '.app.conf.switchyard-stage-notrandom',
    ];
    for (const n of names) writeFileSync(join(dir, n), '');
    expect(cleanStaleStageFiles([resource(), resource({ dest: join(dir, 'missing-dir', 'x.conf') })], silentLogger)).toBe(2);
    expect(readdirSync(dir).sort()).toEqual(names.slice(2).sort());
  });
});
