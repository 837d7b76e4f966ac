// Everything an operation needs, gathered once by the CLI (or a test).
import type { Backend } from '../backends/backend.js';
import type { AppKeys } from './state.js';
import type { Systemctl } from './systemctl.js';

export interface Timing {
  /** How long a started color may take to become healthy. */
  healthTimeoutMs: number;
  /** How long the proxy may take to serve the new color. */
  verifyTimeoutMs: number;
  /** Time limit of one HTTP request. */
  requestTimeoutMs: number;
  /** Pause between two polls. */
  intervalMs: number;
  /** After a deploy's switch, how long the old color keeps serving in-flight requests. */
  drainMs: number;
  /** Answers in a row through the proxy that must name the new color. */
  consecutive: number;
}

export const DEFAULT_TIMING: Timing = {
  healthTimeoutMs: 60_000,
  verifyTimeoutMs: 30_000,
  requestTimeoutMs: 2_000,
  intervalMs: 250,
  drainMs: 10_000,
  consecutive: 3,
};

export interface BlueGreenContext {
  app: string;
  backend: Backend;
  keys: AppKeys;
  /** Overrides the app's health key. */
  healthPath?: string;
  systemctl: Systemctl;
  /** A URL served by the proxy; when set, switches are verified through it. */
  verifyUrl?: string;
  /** Switch to an unhealthy color anyway. */
  force: boolean;
  timing: Timing;
  /** Receives one line per step as it starts and ends. */
  progress: (line: string) => void;
  /**
   * With --converge: after the write of `key`, waits until enough hosts
   * report they applied it; `ok: false` puts live back.
   */
  converge?: (key: string) => Promise<{ ok: boolean; message: string; applied?: string[] }>;
  /**
   * With --converge, after a failed wait put the old value of `key` back:
   * waits until `hosts` (those that had applied the new value) report they
   * applied the old one again.
   */
  convergeBack?: (key: string, hosts: readonly string[]) => Promise<{ ok: boolean; message: string }>;
  /** Waits (the drain); injectable so unit tests do not wait. */
  sleep: (ms: number) => Promise<void>;
}
