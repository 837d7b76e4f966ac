// check_cmd / reload_cmd: placeholder substitution, shell detection and a
// timed run with captured output. A command goes through /bin/sh only when it
// uses shell syntax, so plain commands keep exact argv and exit codes.
import type { Logger } from '../log.js';
import { BoundedOutput, omittedMarker } from './bounded-output.js';
import { commandEnv } from './command-env.js';

/** Values for `{{src}}` / `{{.src}}` and `{{dest}}` / `{{.dest}}`. */
export interface CommandVars {
  src?: string;
  dest?: string;
}

/** What to spawn: a program and its arguments. */
export interface CommandLine {
  file: string;
  args: string[];
  /** True when the command is run through `/bin/sh -c`. */
  shell: boolean;
}

const PLACEHOLDER = /\{\{\s*\.?(src|dest)\s*\}\}/g;
// Anything where sh would not simply split on blanks: operators, quotes,
// expansions, globs, comments, negation, leading VAR=value assignments.
const SHELL_SYNTAX = /[|&;<>()$`\\"'*?[\]#~!\n]|^\s*[A-Za-z_]\w*=/;
const SAFE_WORD = /^[\w@%+=:,./-]+$/;
const TAIL_LINES = 20;
/** At most this much of a stream goes into an error message or a log line. */
const TAIL_CHARS = 4096;
const FORCE_KILL_MS = 2_000;

const substitute = (template: string, vars: CommandVars, quote: (v: string) => string): string =>
  template.replace(PLACEHOLDER, (whole, name: 'src' | 'dest') => {
    const value = vars[name];
    return value === undefined ? whole : quote(value);
  });

/** Quotes a value for sh only when it needs it, so `"{{src}}"` written by a user stays valid for plain paths. */
export const shellQuote = (value: string): string =>
  SAFE_WORD.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;

/** True when the command (placeholders aside) uses shell syntax. */
export const needsShell = (template: string): boolean => SHELL_SYNTAX.test(template.replace(PLACEHOLDER, 'x'));

/** Substitutes placeholders and decides how to spawn the command. */
export const buildCommandLine = (template: string, vars: CommandVars): CommandLine => {
  if (needsShell(template)) {
    return { file: '/bin/sh', args: ['-c', substitute(template, vars, shellQuote)], shell: true };
  }
  // Placeholders may contain blanks (`{{ .src }}`); make them single words before splitting.
  const words = template.replace(PLACEHOLDER, '{{$1}}').trim().split(/\s+/).filter((w) => w !== '');
  const [file, ...args] = words.map((w) => substitute(w, vars, (v) => v));
  if (file === undefined) throw new Error('empty command');
  return { file, args, shell: false };
};

/** A command that failed: it exited non-zero, was killed, timed out or could not start. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    readonly command: string,
    readonly exitCode: number | undefined,
    readonly signal: string | undefined,
    readonly timedOut: boolean,
    readonly stdoutTail: string,
    readonly stderrTail: string,
    options?: { cause?: unknown; timeoutMs?: number },
  ) {
    const how = timedOut
      ? `timed out${options?.timeoutMs !== undefined ? ` after ${formatLimit(options.timeoutMs)}; its process group was killed` : ''}`
      : exitCode !== undefined
        ? `exited with code ${exitCode}`
        : signal
          ? `was killed by ${signal}`
          : `could not start${options?.cause instanceof Error ? ` (${options.cause.message})` : ''}`;
    const output = [stderrTail && `stderr: ${stderrTail}`, stdoutTail && `stdout: ${stdoutTail}`].filter(Boolean);
    super(`command \`${command}\` ${how}${output.length ? '; ' + output.join('; ') : ''}`, options);
  }
}

export interface CommandResult {
  command: string;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface CommandOptions {
  timeoutMs: number;
  logger: Logger;
}

/**
 * The last lines of some output, trimmed and at most TAIL_CHARS long, for
 * error messages. `totalBytes`, when known, is what the stream wrote in all,
 * so the marker counts what the capture dropped too.
 */
export const tailLines = (text: string, lines = TAIL_LINES, totalBytes?: number): string => {
  const trimmed = text.trimEnd();
  const tail = trimmed.split('\n').slice(-lines).join('\n');
  if (tail.length <= TAIL_CHARS) return tail;
  const shown = tail.slice(-TAIL_CHARS);
  const omitted = Math.max(totalBytes ?? 0, Buffer.byteLength(trimmed)) - Buffer.byteLength(shown);
  return omittedMarker(omitted).trimStart() + shown;
};

const signalGroup = (pgid: number | undefined, signal: NodeJS.Signals): void => {
  if (pgid === undefined) return;
  try {
    process.kill(-pgid, signal);
  } catch {
    // The group is already gone.
  }
};

/** "2s", "1.5s", "250ms": a time limit as users write it. */
export const formatLimit = (ms: number): string => (ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`);

/** How a child process ended. */
export interface ProcessResult {
  failed: boolean;
  exitCode: number | undefined;
  signal: string | undefined;
  timedOut: boolean;
  /** Bounded: the first and last OUTPUT_KEEP_BYTES of the stream with a marker for what was dropped. */
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved (bounded the same way). */
  all: string;
  /** Bytes each stream wrote in all, kept or not. */
  stdoutBytes: number;
  stderrBytes: number;
  cause?: unknown;
}

/**
 * Runs a program the way every child of the daemon must run: no shell, no
 * stdin, no secret environment variables, in its own process group, with
 * bounded output and a timeout that ends the whole group.
 *
 * The command ends when it has exited and closed its output. At the timeout
 * the group gets SIGTERM, then SIGKILL; once the leader has exited the result
 * is returned without waiting for the pipes, which a descendant in another
 * session (a daemonizing script) may hold open for ever.
 */
export const runProcess = (
  file: string,
  args: readonly string[],
  timeoutMs: number,
  /** Added to the command's environment (systemd-notify and systemctl get theirs). */
  env?: NodeJS.ProcessEnv,
): Promise<ProcessResult> =>
  new Promise((resolvePromise) => {
    const stdout = new BoundedOutput();
    const stderr = new BoundedOutput();
    const all = new BoundedOutput();
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let startError: Error | undefined;
    let openStreams = 2;
    let timedOut = false;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];

    // node:child_process is loaded by the first command, not at start-up.
    const child = process.getBuiltinModule('node:child_process').spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...commandEnv(), ...env } });
    const finish = (): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      child.stdout.destroy();
      child.stderr.destroy();
      const exitCode = timedOut || startError || exit?.code === null ? undefined : exit?.code;
      const signal = exit?.signal ?? undefined;
      resolvePromise({
        failed: timedOut || startError !== undefined || exitCode !== 0,
        exitCode,
        signal,
        timedOut,
        stdout: stdout.toString(),
        stderr: stderr.toString(),
        all: all.toString(),
        stdoutBytes: stdout.bytes,
        stderrBytes: stderr.bytes,
        cause: startError,
      });
    };
    const maybeDone = (): void => {
      if (startError || (exit && (openStreams === 0 || timedOut))) finish();
    };
    for (const [stream, own] of [[child.stdout, stdout], [child.stderr, stderr]] as const) {
      stream.on('data', (chunk: Buffer) => {
        own.push(chunk);
        all.push(chunk);
      });
      stream.on('error', () => undefined);
      stream.once('close', () => {
        openStreams -= 1;
        maybeDone();
      });
    }
    child.once('error', (err) => {
      startError = err;
      maybeDone();
    });
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      maybeDone();
    });
    timers.push(
      setTimeout(() => {
        timedOut = true;
        signalGroup(child.pid, 'SIGTERM');
        maybeDone();
        if (settled) return;
        timers.push(
          setTimeout(() => {
            signalGroup(child.pid, 'SIGKILL');
            // A leader that survives SIGKILL (stuck in the kernel) must not hold the daemon either.
            timers.push(setTimeout(finish, FORCE_KILL_MS));
          }, FORCE_KILL_MS),
        );
      }, timeoutMs),
    );
  });

/** Runs a check/reload command; resolves with its output or throws CommandError. */
export const runResourceCommand = async (template: string, vars: CommandVars, options: CommandOptions): Promise<CommandResult> => {
  const line = buildCommandLine(template, vars);
  const command = line.shell ? (line.args[1] ?? '') : [line.file, ...line.args].join(' ');
  const started = Date.now();
  const result = await runProcess(line.file, line.args, options.timeoutMs);
  const durationMs = Date.now() - started;
  const { stdout, stderr } = result;
  if (result.failed) {
    throw new CommandError(
      command,
      result.exitCode,
      result.signal,
      result.timedOut,
      tailLines(stdout, undefined, result.stdoutBytes),
      tailLines(stderr, undefined, result.stderrBytes),
      { cause: result.cause, timeoutMs: options.timeoutMs },
    );
  }
  options.logger.debug('command succeeded', { command, durationMs, stdout: tailLines(stdout, undefined, result.stdoutBytes), stderr: tailLines(stderr, undefined, result.stderrBytes) });
  return { command, stdout, stderr, durationMs };
};

/** Why a program that did not time out failed: its exit code, its signal, or why it could not start. */
export const failureOf = (program: string, result: ProcessResult): string =>
  result.exitCode !== undefined
    ? `${program} exited with code ${result.exitCode}`
    : result.signal
      ? `${program} was killed by ${result.signal}`
      : `${program} could not start: ${result.cause instanceof Error ? result.cause.message : String(result.cause)}`;
