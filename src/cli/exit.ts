// Exit codes: 0 ok, 1 a resource failed, 2 usage or configuration error.
import { BackendError, ConfigError, messageOf, ResourceError, StartupError } from '../errors.js';
import type { Logger } from '../log.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Logs an error that ended a command and returns its exit code. */
export const reportError = (err: unknown, logger: Logger): number => {
  if (err instanceof ConfigError) {
    logger.error(`configuration error: ${err.message}`);
    return EXIT_USAGE;
  }
  if (err instanceof ResourceError || err instanceof BackendError || err instanceof StartupError) {
    logger.error(err.message);
    return EXIT_FAILED;
  }
  logger.error(`unexpected error: ${messageOf(err)}`, { stack: err instanceof Error ? err.stack : undefined });
  return EXIT_FAILED;
};

/** Resolves once what was written to the stream has left the process (at once when nothing waits). */
const flushed = (stream: NodeJS.WriteStream): Promise<void> =>
  stream.writableLength === 0 ? Promise.resolve() : new Promise((resolve) => stream.write('', () => resolve()));

/**
 * Sets the exit code and exits once nothing is pending. Exiting from
 * 'beforeExit' (the loop has run dry, every write has been made) spares the
 * process Node's teardown of the heap at a natural exit (~5 % of a one-shot's
 * CPU). Lingering handles (a half-closed socket) must not keep the process
 * alive: after 200 ms it exits all the same, once its output has reached a
 * slow reader (a pipe holds 64 KiB; the rest waits in the process).
 */
export const exitWith = (code: number): void => {
  process.exitCode = code;
  process.once('beforeExit', () => process.exit(code));
  setTimeout(() => {
    void Promise.all([flushed(process.stdout), flushed(process.stderr)]).then(() => process.exit(code));
  }, 200).unref();
};
