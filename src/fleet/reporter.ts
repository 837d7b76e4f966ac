// Report-back: after each round the daemon hands its outcomes here, and the
// host's report is written under its lease in the background. Nothing here
// blocks or fails a round: at most one write is in flight, the latest state
// wins, and a store that refuses the write gets one warning (again only
// after it accepted one in between).
import { readFile } from 'node:fs/promises';
import type { LeasedKey, LeasedWrites } from '../backends/backend.js';
import { withTimeout } from '../backends/retry.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import { hostKey, type HostReport, type ResourceReport } from './report.js';
import { sha256Hex } from '../hex.js';

/** What the reporter needs of a resource's outcome in a round (the daemon's outcomes are these). */
export type ReportedOutcome = { resource: { name: string; dest: string; paths: readonly string[] }; revision?: string } & (
  | { ok: true }
  | { ok: false; error: { stage: string; detail: string } }
);

export interface ReporterOptions {
  store: LeasedWrites;
  prefix: string;
  hostId: string;
  ttlMs: number;
  logger: Logger;
  now?: () => Date;
}

export interface Reporter {
  /** Takes a round's outcomes; the write happens in the background. */
  record(outcomes: readonly ReportedOutcome[]): void;
  /** Waits for the write in flight, then gives the lease up (the entry goes). */
  close(): Promise<void>;
}

const CLOSE_WAIT_MS = 2_000;

interface Entry {
  report: Omit<ResourceReport, 'sha256'>;
  dest: string;
}

const sha256Of = async (file: string): Promise<string | null> => {
  try {
    return sha256Hex(await readFile(file));
  } catch {
    return null;
  }
};

export const createReporter = (opts: ReporterOptions): Reporter => {
  const now = opts.now ?? (() => new Date());
  const key = hostKey(opts.prefix, opts.hostId);
  const log = opts.logger.child({ report: key });
  const entries = new Map<string, Entry>();
  let pending = false;
  let closed = false;
  let draining: Promise<void> = Promise.resolve();
  let running = false;
  let warned: string | undefined;

  const schedule = (): void => {
    pending = true;
    if (running || closed) return;
    running = true;
    draining = drain();
  };

  const leased: LeasedKey = opts.store.leasedKey(key, opts.ttlMs, (err) => {
    log.warn('the store dropped the report lease; writing the report again under a new one', { error: messageOf(err) });
    schedule();
  });

  const document = async (): Promise<HostReport> => {
    const resources: Record<string, ResourceReport> = {};
    for (const [name, entry] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      resources[name] = { ...entry.report, sha256: await sha256Of(entry.dest) };
    }
    return { host: opts.hostId, time: now().toISOString(), resources };
  };

  const writeOnce = async (): Promise<void> => {
    try {
      // A write slower than the TTL is no use, and must not hold up the next one.
      const doc = JSON.stringify(await document());
      await withTimeout(leased.set(doc), opts.ttlMs, () => new Error(`the store did not answer within ${opts.ttlMs} ms`));
      if (warned !== undefined) log.info('reporting works again');
      warned = undefined;
    } catch (err) {
      const message = messageOf(err);
      if (warned === undefined) log.warn('cannot write this host\'s report; rendering goes on, the next rounds try again', { error: message });
      warned = message;
    }
  };

  async function drain(): Promise<void> {
    try {
      while (pending && !closed) {
        pending = false;
        await writeOnce();
      }
    } finally {
      running = false;
    }
  }

  return {
    record: (outcomes) => {
      for (const o of outcomes) {
        const previous = entries.get(o.resource.name)?.report.revision ?? null;
        const base = { revision: o.revision ?? previous, time: now().toISOString(), keys: [...o.resource.paths] };
        const report: Entry['report'] = o.ok
          ? { ...base, result: 'ok' }
          : { ...base, result: 'failed', stage: o.error.stage, message: o.error.detail };
        entries.set(o.resource.name, { report, dest: o.resource.dest });
      }
      schedule();
    },
    close: async () => {
      closed = true;
      // Shutdown waits for the store a little, never for long.
      const late = (): Error => new Error(`the store did not answer within ${CLOSE_WAIT_MS} ms`);
      try {
        await withTimeout(draining, CLOSE_WAIT_MS, late);
        await withTimeout(leased.close(), CLOSE_WAIT_MS, late);
      } catch (err) {
        log.warn('giving the report lease up failed; the entry goes when its TTL runs out', { error: messageOf(err) });
      }
    },
  };
};
