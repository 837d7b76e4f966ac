// One watch stream's life: send the create request, wait (bounded) for etcd
// to confirm it, pass responses on, and settle with the reason it ended. With
// a liveness check, a stream quiet for a while is asked for a progress
// report; one that does not answer it promptly ends as `stalled` (a member
// that hangs keeps its connections open, so nothing else would notice).
import type { IDuplexStream, IWatchCreateRequest, IWatchRequest, IWatchResponse } from 'etcd3';
import { isCompactedReason } from './errors.js';

export type WatchStream = IDuplexStream<IWatchRequest, IWatchResponse>;

export type SessionEnd =
  | { kind: 'closed' }
  | { kind: 'error'; error: Error }
  /** The requested start revision was compacted away; history begins at compactRevision. */
  | { kind: 'compacted'; compactRevision: string }
  /** etcd canceled the watch (permission denied, an expired token, ...). */
  | { kind: 'canceled'; reason: string }
  /** The store's revision went backwards (restored from backup): start over without a revision. */
  | { kind: 'rewound' }
  /** The member did not answer a progress request in time: it hangs. */
  | { kind: 'stalled'; detail: string };

export interface SessionHooks {
  /** etcd confirmed the watch; the response carries the current header revision. */
  established(created: IWatchResponse): SessionEnd | undefined;
  /** Events or a progress notification. */
  response(res: IWatchResponse): void;
}

export interface Session {
  /** Settles once, when the stream ends for any reason. */
  readonly ended: Promise<SessionEnd>;
  /** Ends the session from outside (close, or giving up on a stalled stream). */
  end(end: SessionEnd): void;
  /** Asks for a progress report now (with a liveness check: unanswered, the session ends as stalled). */
  probe(): void;
}

/**
 * Ask a quiet stream for progress; end it when stallMs pass without an answer.
 * "Quiet" is probeEveryMs for a stream that rarely speaks, and shorter for one
 * that carries events steadily (a few of its usual gaps, at least
 * QUIET_FLOOR_MS): a member that stops in the middle of a burst is asked at once.
 */
export interface Liveness {
  probeEveryMs: number;
  /** Read at each probe, so it follows the member's answer times. */
  stallMs: number | (() => number);
  /** The time a progress request took to be answered (a sample of the member's latency). */
  answered?: (ms: number) => void;
}

const QUIET_FLOOR_MS = 100;
/** How many usual gaps between two answers make a stream quiet. */
const QUIET_GAPS = 4;

/** The answer to a progress request is broadcast to every watch of the stream, with no watch id of its own. */
export const isProgressAnswer = (res: IWatchResponse): boolean => String(res.watch_id) === '-1';

const cancelEnd = (res: IWatchResponse): SessionEnd => {
  if (res.compact_revision && res.compact_revision !== '0') return { kind: 'compacted', compactRevision: res.compact_revision };
  if (isCompactedReason(res.cancel_reason)) return { kind: 'compacted', compactRevision: '0' };
  return { kind: 'canceled', reason: res.cancel_reason || 'watch canceled by etcd' };
};

export const runWatchSession = (
  stream: WatchStream,
  request: IWatchCreateRequest,
  hooks: SessionHooks,
  createTimeoutMs: number,
  liveness?: Liveness,
): Session => {
  let settle: (end: SessionEnd) => void = () => undefined;
  const ended = new Promise<SessionEnd>((resolve) => {
    settle = resolve;
  });
  let done = false;
  let created = false;
  const timer = setTimeout(
    () => end({ kind: 'error', error: new Error(`etcd did not confirm the watch within ${createTimeoutMs} ms`) }),
    createTimeoutMs,
  );

  let lastData = Date.now();
  // Smoothed gap between two answers of the stream (undefined until it has spoken twice).
  let usualGapMs: number | undefined;
  let probeSentAt: number | undefined;
  let stallMs = 0;
  const stallLimit = (): number => (liveness ? (typeof liveness.stallMs === 'function' ? liveness.stallMs() : liveness.stallMs) : 0);
  const quietMs = (): number =>
    liveness === undefined
      ? Infinity
      : usualGapMs === undefined
        ? liveness.probeEveryMs
        : Math.min(liveness.probeEveryMs, Math.max(QUIET_FLOOR_MS, QUIET_GAPS * usualGapMs));
  const probe = (): void => {
    if (done || !liveness || probeSentAt !== undefined) return;
    probeSentAt = Date.now();
    stallMs = stallLimit();
    stream.write({ progress_request: {} });
  };
  const ticker = liveness
    ? setInterval(() => {
        const now = Date.now();
        if (probeSentAt === undefined) {
          if (now - lastData >= quietMs()) probe();
        } else if (now - probeSentAt >= stallMs) {
          end({ kind: 'stalled', detail: `no answer to a watch progress request within ${stallMs} ms` });
        }
      }, Math.max(20, Math.min(liveness.probeEveryMs, QUIET_FLOOR_MS, stallLimit()) / 4))
    : undefined;

  function end(result: SessionEnd): void {
    if (done) return;
    done = true;
    clearTimeout(timer);
    clearInterval(ticker);
    // Ending the write side first keeps the client library from treating our
    // own cancel as a host failure (which would reset every stream on it).
    stream.end();
    stream.cancel();
    settle(result);
  }

  stream.on('data', (res: IWatchResponse) => {
    if (done) return;
    const now = Date.now();
    if (probeSentAt !== undefined && isProgressAnswer(res)) liveness?.answered?.(now - probeSentAt);
    else if (created) {
      const gap = now - lastData;
      usualGapMs = usualGapMs === undefined ? gap : 0.8 * usualGapMs + 0.2 * gap;
    }
    lastData = now;
    probeSentAt = undefined;
    if (res.created && !created) {
      created = true;
      clearTimeout(timer);
      if (res.canceled) return end(cancelEnd(res));
      const early = hooks.established(res);
      if (early) end(early);
      return;
    }
    if (res.canceled) return end(cancelEnd(res));
    hooks.response(res);
  });
  // Stays attached after end(): a canceled stream still emits 'error'.
  stream.on('error', (error: Error) => end({ kind: 'error', error }));
  stream.on('end', () => end({ kind: 'error', error: new Error('etcd ended the watch stream') }));
  stream.write({ create_request: request });
  return { ended, end, probe };
};
