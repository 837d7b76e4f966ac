// The pipeline of one resource, given its rendered text:
// compare → stage → check → commit (keep previous) → reload → roll back on failure.
import { rmSync } from 'node:fs';
import type { TemplateResource } from '../config/resource.js';
import { ResourceError, messageOf, type Stage } from '../errors.js';
import type { Logger } from '../log.js';
import { parseBuiltinCheck, runBuiltinCheck } from '../proxies/builtin-check.js';
import { buildCommandLine, runResourceCommand, type CommandVars } from '../process/command.js';
import { commitStaged, discardBackup, flushCommit, resolveDest, restorePrevious, type Commit } from './commit.js';
import { isUpToDate, readFileState, wantedState } from './file-state.js';
import { noopDiff } from './noop-diff.js';
import { ReloadFailedError } from './reload-error.js';
import type { Settler } from './settle.js';
import { writeStageFile } from './stage-file.js';
import type { RenderLimits } from '../template/limits.js';

export { cleanStaleStageFiles } from './stage-file.js';
export { ReloadFailedError } from './reload-error.js';

export interface PipelineOptions {
  /** Print a unified diff against dest via `print`; write nothing, run nothing. */
  noop: boolean;
  /** Write files, skip check and reload commands. */
  syncOnly: boolean;
  /** Keep the staged file when the check fails (for debugging). */
  keepStageFile: boolean;
  /** Per command (default 60 s). */
  commandTimeoutMs: number;
  /** Time and size limits of each render (the template engine's defaults when absent). */
  renderLimits?: RenderLimits;
  logger: Logger;
  /** Where --noop diffs go (stdout by default). */
  print?: (text: string) => void;
  /**
   * Takes the work that follows dest going live (the directory's fsync when no
   * reload follows, the backup's removal) off the change's path; done inline
   * without one (settle.ts).
   */
  settle?: Settler;
}

export type Outcome = 'unchanged' | 'updated' | 'would-update';

export interface PipelineResult {
  outcome: Outcome;
  diff?: string;
  rolledBack?: boolean;
}

// Runs one step and turns any failure into a ResourceError naming the stage.
const atStage = async <T>(resource: TemplateResource, stage: Stage, work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ResourceError) throw err;
    throw new ResourceError(resource.name, stage, messageOf(err), { cause: err });
  }
};

/** Runs a check_cmd: the built-in fragment checks in process, anything else as a command. */
export const runCheckCommand = async (template: string, vars: CommandVars, timeoutMs: number, log: Logger): Promise<unknown> => {
  const builtin = parseBuiltinCheck(buildCommandLine(template, vars));
  return builtin ? runBuiltinCheck(template, builtin, timeoutMs, log) : runResourceCommand(template, vars, { timeoutMs, logger: log });
};

const ms = (duration: number): number => Math.round(duration * 100) / 100;

// Milliseconds on a monotonic clock. Not performance.now(): the global
// `performance` loads node:perf_hooks at its first use, which a one-shot run
// would pay for a few timings in its log.
const clockMs = (): number => Number(process.hrtime.bigint()) / 1e6;

const printToStdout = (text: string): void => void process.stdout.write(text);

export const applyResource = async (
  resource: TemplateResource,
  content: string,
  options: PipelineOptions,
): Promise<PipelineResult> => {
  const log = options.logger.child({ resource: resource.name, dest: resource.dest });
  const started = clockMs();
  const dest = await atStage(resource, 'stage', () => resolveDest(resource));
  const current = await atStage(resource, 'stage', () => readFileState(dest));
  const wanted = wantedState(resource, content, current);
  if (isUpToDate(current, wanted)) {
    log.debug('unchanged');
    return { outcome: 'unchanged' };
  }
  if (options.noop) {
    const diff = await noopDiff(resource.dest, current, wanted);
    (options.print ?? printToStdout)(diff);
    return { outcome: 'would-update', diff };
  }
  const runCommands = !options.syncOnly;
  const run = (template: string, vars: CommandVars) =>
    runResourceCommand(template, vars, { timeoutMs: options.commandTimeoutMs, logger: log });
  const check = (template: string, vars: CommandVars): Promise<unknown> => runCheckCommand(template, vars, options.commandTimeoutMs, log);

  const compared = clockMs();
  const staged = await atStage(resource, 'stage', () => writeStageFile(dest, wanted));
  const stagedAt = clockMs();
  let keepStaged = false;
  try {
    if (runCommands && resource.checkCmd) {
      const checkCmd = resource.checkCmd;
      keepStaged = options.keepStageFile;
      await atStage(resource, 'check', () => check(checkCmd, { src: staged, dest: resource.dest }));
      keepStaged = false;
    }
    const checkedAt = clockMs();
    const commit = await atStage(resource, 'commit', () => commitStaged(staged, dest));
    const liveAt = clockMs();
    // dest is live. A reload reads a file whose rename is durable, as before;
    // without one, nothing waits for the directory's fsync.
    const reloadCmd = runCommands ? resource.reloadCmd : undefined;
    let flushed = false;
    const settle = async (): Promise<void> => {
      if (!flushed) {
        await flushCommit(commit).catch((err: unknown) =>
          log.error('cannot flush the directory after the rename: the new file may not survive a crash', { stage: 'commit', err: messageOf(err) }),
        );
      }
      await discardBackup(commit).catch((err: unknown) => log.warn('cannot remove backup', { err: messageOf(err) }));
    };
    try {
      if (reloadCmd) {
        await atStage(resource, 'commit', () => flushCommit(commit));
        flushed = true;
        await run(reloadCmd, { dest: resource.dest }).catch((err: unknown) =>
          rollBack(resource, commit, err, () => run(reloadCmd, { dest: resource.dest }), log),
        );
      }
    } finally {
      if (options.settle) options.settle.defer(settle);
      else await settle();
    }
    log.info('updated', { mode: wanted.mode.toString(8), checked: runCommands && !!resource.checkCmd });
    // Where the time of an update went (ms): the staged file's write and fsync, check_cmd, the rename, what followed it.
    log.debug('update timings', {
      compare: ms(compared - started),
      stage: ms(stagedAt - compared),
      check: ms(checkedAt - stagedAt),
      rename: ms(liveAt - checkedAt),
      after: ms(clockMs() - liveAt),
    });
    return { outcome: 'updated' };
  } finally {
    if (keepStaged) log.warn('kept staged file after failed check', { staged });
    else {
      try {
        rmSync(staged, { force: true });
      } catch (err) {
        log.warn('cannot remove staged file', { staged, err: messageOf(err) });
      }
    }
  }
};

// Puts the previous file back, reloads again, and always throws: the new
// file did not go live.
const rollBack = async (
  resource: TemplateResource,
  commit: Commit,
  reloadErr: unknown,
  reloadAgain: () => Promise<unknown>,
  log: Logger,
): Promise<never> => {
  log.error('reload failed, restoring the previous file', { err: messageOf(reloadErr) });
  try {
    await restorePrevious(commit);
  } catch (restoreErr) {
    throw new ResourceError(
      resource.name,
      'rollback',
      `reload failed (${messageOf(reloadErr)}) and the previous file could not be restored: ${messageOf(restoreErr)}`,
      { cause: new AggregateError([reloadErr, restoreErr], 'reload and restore failed') },
    );
  }
  const restored = commit.backup ? 'the previous file was restored' : 'dest was removed (there was no previous file)';
  try {
    await reloadAgain();
  } catch (secondErr) {
    log.error('reload after restoring failed too', { err: messageOf(secondErr) });
    throw new ReloadFailedError(
      resource.name,
      `${messageOf(reloadErr)}; ${restored}, but the reload after restoring failed too: ${messageOf(secondErr)}`,
      'failed',
      { cause: new AggregateError([reloadErr, secondErr], 'reload failed twice') },
    );
  }
  throw new ReloadFailedError(resource.name, `${messageOf(reloadErr)}; ${restored} and reloaded`, 'succeeded', {
    cause: reloadErr,
  });
};
