// check_cmd / reload_cmd: placeholder substitution, shell detection and a
// timed run with captured output. A command goes through /bin/sh only when it
// uses shell syntax, so plain commands keep exact argv and exit codes.
import type { Logger } from '../log.js';

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
    options?: { cause?: unknown },
  ) {
    const how = timedOut
      ? 'timed out'
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

/** The last lines of some output, trimmed, for error messages. */
export const tailLines = (text: string, lines = TAIL_LINES): string =>
  text.trimEnd().split('\n').slice(-lines).join('\n');

const signalGroup = (pgid: number | undefined, signal: NodeJS.Signals): void => {
  if (pgid === undefined) return;
  try {
    process.kill(-pgid, signal);
  } catch {
    // The group is already gone.
  }
};

// The timeout signals the whole process group: a shell pipeline's children
// would otherwise keep the output open and the command alive.
const killGroupAfter = (pgid: number | undefined, timeoutMs: number): { timedOut: () => boolean; clear: () => void } => {
  let fired = false;
  let forceTimer: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    fired = true;
    signalGroup(pgid, 'SIGTERM');
    forceTimer = setTimeout(() => signalGroup(pgid, 'SIGKILL'), FORCE_KILL_MS);
  }, timeoutMs);
  return {
    timedOut: () => fired,
    clear: () => {
      clearTimeout(timer);
      clearTimeout(forceTimer);
    },
  };
};

/** How a child process ended. */
export interface ProcessResult {
  failed: boolean;
  exitCode: number | undefined;
  signal: string | undefined;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved. */
  all: string;
  cause?: unknown;
}

/**
 * Runs a program the way every child of the daemon must run: no shell, no
 * stdin, in its own process group, with a timeout that ends the whole group.
 * execa's cleanup stays off: it hooks SIGTERM through signal-exit, which
 * re-raises the signal and kills the daemon before it can finish the
 * resource in flight.
 */
export const runProcess = async (
  file: string,
  args: readonly string[],
  timeoutMs: number,
  /** Added to the daemon's environment (systemd-notify and systemctl get theirs). */
  env?: NodeJS.ProcessEnv,
): Promise<ProcessResult> => {
  // Imported when first used: every command and --onetime start faster without it.
  const { execa } = await import('execa');
  const subprocess = execa(file, args, {
    env,
    reject: false,
    stdin: 'ignore',
    encoding: 'utf8',
    all: true,
    cleanup: false,
    detached: true,
  });
  const timeout = killGroupAfter(subprocess.pid, timeoutMs);
  const result = await subprocess.finally(timeout.clear);
  const timedOut = timeout.timedOut();
  return {
    failed: result.failed || timedOut,
    exitCode: timedOut ? undefined : result.exitCode,
    signal: result.signal,
    timedOut,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    all: String(result.all ?? ''),
    cause: result.cause ?? result,
  };
};

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
      tailLines(stdout),
      tailLines(stderr),
      { cause: result.cause },
    );
  }
  options.logger.debug('command succeeded', { command, durationMs, stdout: stdout.trim(), stderr: stderr.trim() });
  return { command, stdout, stderr, durationMs };
};

/** Why a program that did not time out failed: its exit code, its signal, or why it could not start. */
export const failureOf = (program: string, result: ProcessResult): string =>
  result.exitCode !== undefined
    ? `${program} exited with code ${result.exitCode}`
    : result.signal
      ? `${program} was killed by ${result.signal}`
      : `${program} could not start: ${result.cause instanceof Error ? result.cause.message : String(result.cause)}`;
