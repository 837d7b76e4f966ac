// systemd's readiness protocol (sd_notify) for Type=notify units. It does
// nothing unless systemd set NOTIFY_SOCKET.
//
// Node has no unix datagram sockets, so each message is sent by the
// systemd-notify program. `--pid=<our pid>` makes the datagram carry our PID in
// its credentials (allowed for root; libsystemd falls back to its own PID
// otherwise), so the manager attributes it to the main process; systemd-notify
// also waits until the manager has read the message (a barrier), so it is not
// lost when the short-lived child exits first. The unit's NotifyAccess=all
// accepts the non-root fallback. SWITCHYARD_SYSTEMD_NOTIFY overrides the
// program (tests).
import { silentLogger, type Logger } from '../log.js';
import { failureOf, runProcess } from '../process/command.js';

const NOTIFY_TIMEOUT_MS = 10_000;

export interface NotifyOptions {
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
}

/** Sends one message; a failure is logged, never thrown: readiness must not crash the daemon. */
export const sdNotify = async (state: string, options: NotifyOptions = {}): Promise<void> => {
  const env = options.env ?? process.env;
  if (!env.NOTIFY_SOCKET) return;
  const program = env.SWITCHYARD_SYSTEMD_NOTIFY || 'systemd-notify';
  const result = await runProcess(program, [`--pid=${process.pid}`, state], NOTIFY_TIMEOUT_MS, env);
  if (result.failed) {
    const error = result.timedOut ? `timed out after ${NOTIFY_TIMEOUT_MS} ms` : failureOf(program, result);
    (options.logger ?? silentLogger).warn('systemd notification failed', { state, error });
  }
};

export const notifyReady = (options?: NotifyOptions): Promise<void> => sdNotify('READY=1', options);

export const notifyStopping = (options?: NotifyOptions): Promise<void> => sdNotify('STOPPING=1', options);

/** The ping interval: half of WATCHDOG_USEC, or undefined when the watchdog is off or meant for another process. */
export const watchdogIntervalMs = (env: NodeJS.ProcessEnv = process.env): number | undefined => {
  const usec = Number(env.WATCHDOG_USEC);
  if (!env.NOTIFY_SOCKET || !Number.isFinite(usec) || usec <= 0) return undefined;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== process.pid) return undefined;
  return Math.max(1, Math.floor(usec / 2_000));
};

/** Pings the watchdog until the returned function is called. */
export const startWatchdog = (options: NotifyOptions = {}): (() => void) => {
  const interval = watchdogIntervalMs(options.env);
  if (interval === undefined) return () => undefined;
  // sdNotify never rejects; the void is deliberate.
  const timer = setInterval(() => void sdNotify('WATCHDOG=1', options), interval);
  timer.unref();
  return () => clearInterval(timer);
};
