// The watch of one path: a loop that keeps a watch stream open until the
// handle is closed. Every way the stream can die (server restart, half-open
// connection, compaction, expired token, a create that never returns) ends in
// the same place: report, back off with jitter, open a new stream, resync.
// With several members the stream is opened on the preferred one (see
// members.ts), checked for liveness, and moved at once to another member when
// its member hangs or fails: it resumes from the revision after the last event
// it delivered, so no event is lost or delivered twice.
import type { Etcd3, IWatchCreateRequest, IWatchResponse } from 'etcd3';
import { BackendError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { WatchHandle, WatchListener } from '../backend.js';
import { describeEtcdError, isAuthError } from './errors.js';
import type { EtcdMembers } from './members.js';
import { createBackoff, createErrorThrottle, createSleeper, withTimeout } from '../retry.js';
import { subtreeRange } from './snapshot.js';
import { isProgressAnswer, runWatchSession, type Session, type SessionEnd } from './watch-session.js';
import type { WatchedViews } from './watched-views.js';

export interface EtcdWatchDeps {
  members: EtcdMembers;
  logger: Logger;
  /** Bound on opening a stream and on etcd confirming the watch (ms). */
  createTimeoutMs: number;
  /** First and largest retry delay (ms). */
  backoffMs: [number, number];
  /** Identical errors are reported at most once per this interval (ms). */
  errorIntervalMs: number;
  /** With several members: a quiet stream is asked for progress this often (ms). */
  probeEveryMs?: number;
  /** Counted for the status page. */
  stats?: { watching: number; reconnects: number; lastError?: string };
  /** Kept current from the events, so a round after a change needs no read. */
  views?: WatchedViews;
}

const next = (revision: string | bigint): bigint => BigInt(revision) + 1n;

export const startEtcdWatch = async (
  deps: EtcdWatchDeps,
  path: string,
  listener: WatchListener,
  afterRevision?: string,
): Promise<WatchHandle> => {
  const log = deps.logger.child({ watch: path });
  const { endpoints, health } = deps.members;
  const clustered = endpoints.length > 1;
  const report = createErrorThrottle((err) => listener.onError(err), deps.errorIntervalMs);
  const fail = (detail: string, cause?: unknown): void => {
    log.debug('etcd watch problem', { detail });
    if (deps.stats) deps.stats.lastError = `watch ${path}: ${detail}`;
    report(new BackendError('etcd', endpoints.join(','), `watch ${path}: ${detail}`, { cause }));
  };
  const notify = (): void => {
    try {
      listener.onChange();
    } catch (err) {
      fail(`change listener threw: ${describeEtcdError(err)}`, err);
    }
  };

  const backoff = createBackoff(deps.backoffMs[0], deps.backoffMs[1]);
  const sleeper = createSleeper();
  let nextRevision: bigint | undefined = afterRevision ? next(afterRevision) : undefined;
  let closed = false;
  let resync = false;
  let lastWasAuth = false;
  let live = false;
  let session: Session | undefined;
  let sessionClient: Etcd3 | undefined;
  let sessionEndpoint = endpoints[0] ?? '';
  let releaseMember: (() => void) | undefined;
  let firstAttempt: (() => void) | undefined;
  const firstSettled = new Promise<void>((resolve) => {
    firstAttempt = resolve;
  });
  const feed = deps.views?.feed(path, () => nextRevision);

  const request = (): IWatchCreateRequest => ({
    ...subtreeRange(path),
    progress_notify: true,
    ...(nextRevision !== undefined ? { start_revision: nextRevision.toString() } : {}),
  });

  const established = (created: IWatchResponse): SessionEnd | undefined => {
    const head = next(created.header.revision);
    // A revision ahead of the store means the store was restored: our position is meaningless.
    if (nextRevision !== undefined && nextRevision > head) return { kind: 'rewound' };
    nextRevision ??= head;
    if (deps.stats && !live) deps.stats.watching += 1;
    live = true;
    releaseMember?.();
    releaseMember = health.use(sessionEndpoint);
    backoff.reset();
    lastWasAuth = false;
    firstAttempt?.();
    if (resync) {
      resync = false;
      log.info('etcd watch re-established', { revision: created.header.revision });
      if (deps.stats) deps.stats.reconnects += 1;
      notify();
    }
    return undefined;
  };

  const response = (res: IWatchResponse): void => {
    const last = res.events.at(-1);
    if (last) {
      // The view is changed before anyone is told, so the round sees the change.
      if (res.fragment) feed?.drop();
      else feed?.events(res.events);
      nextRevision = next(last.kv.mod_revision);
      notify();
    } else if (!res.fragment && !isProgressAnswer(res) && (nextRevision === undefined || next(res.header.revision) > nextRevision)) {
      // A progress answer's revision may be ahead of events still on their way (etcd 3.4): liveness only.
      nextRevision = next(res.header.revision);
      // Not fed to the view: etcd 3.4 sends a created answer's (and a progress
      // answer's) revision while older events may still be on their way, and
      // the view would then skip them. A view moves only with its own events.
    }
  };

  /** Moves on from a member that hangs or failed without a word to us; true when another member answers. */
  const leaveMember = (reason: string): boolean => {
    if (!clustered) return false;
    health.failed(sessionEndpoint, reason);
    const nextMember = health.order()[0];
    if (nextMember === undefined || !health.isUp(nextMember)) return false;
    log.debug('etcd watch moving to another member', { from: sessionEndpoint, to: nextMember, reason });
    return true;
  };

  // What to do after a session ended: 'stop', 'retry' after a backoff, or 'move' to another member at once.
  const handleEnd = (end: SessionEnd): 'stop' | 'retry' | 'move' => {
    resync = true;
    switch (end.kind) {
      case 'closed':
        return 'stop';
      case 'stalled':
        if (leaveMember(end.detail)) return 'move';
        fail(`etcd member ${sessionEndpoint}: ${end.detail}`);
        return 'retry';
      case 'compacted':
        // Events between our position and the compaction are lost; the resync covers them.
        nextRevision = end.compactRevision !== '0' ? BigInt(end.compactRevision) : undefined;
        fail(`history was compacted; resuming at revision ${end.compactRevision} after a full resync`);
        return 'retry';
      case 'rewound':
        nextRevision = undefined;
        fail('the store revision went backwards (restored?); watching from the current revision');
        return 'retry';
      case 'canceled':
      case 'error': {
        const cause = end.kind === 'error' ? end.error : new Error(end.reason);
        const auth = isAuthError(cause);
        if (auth) {
          // Only the client this session used: other watches may have renewed it already.
          if (sessionClient) deps.members.member(sessionEndpoint).renew(sessionClient);
          // A fresh token is a new remedy: try it promptly, but not in a tight loop.
          if (!lastWasAuth) backoff.reset();
        }
        lastWasAuth = auth;
        // A member that went away is logged once by the member tracker, and the watch moves on.
        if (end.kind === 'error' && !auth && leaveMember(describeEtcdError(cause))) return 'move';
        fail(describeEtcdError(cause), cause);
        return 'retry';
      }
    }
  };

  const openSession = async (): Promise<Session> => {
    sessionEndpoint = health.order()[0] ?? sessionEndpoint;
    const client = deps.members.member(sessionEndpoint).current();
    sessionClient = client;
    const opening = client.watchClient.watch();
    try {
      const stream = await withTimeout(
        opening,
        deps.createTimeoutMs,
        () => new Error(`could not open a watch stream on ${sessionEndpoint} within ${deps.createTimeoutMs} ms`),
      );
      const member = sessionEndpoint;
      const liveness = clustered
        ? {
            probeEveryMs: deps.probeEveryMs ?? 500,
            stallMs: () => health.stallMs(member),
            answered: (ms: number) => health.succeeded(member, ms),
          }
        : undefined;
      return runWatchSession(stream, request(), { established, response }, deps.createTimeoutMs, liveness);
    } catch (error) {
      // A stream that opens after we gave up on it must not linger.
      void opening.then(
        (late) => {
          late.end();
          late.cancel();
        },
        () => undefined,
      );
      // Settled at once so the loop treats a failed open like a dead stream.
      const failed: SessionEnd = { kind: 'error', error: error instanceof Error ? error : new Error(String(error)) };
      return { ended: Promise.resolve(failed), end: () => undefined, probe: () => undefined };
    }
  };

  // When reads find the watch's member not answering, the stream is asked at once whether it still is.
  const unsubscribe = health.onDown((endpoint) => {
    if (endpoint === sessionEndpoint) session?.probe();
  });

  const loop = async (): Promise<void> => {
    while (!closed) {
      session = await openSession();
      if (closed) session.end({ kind: 'closed' });
      const end = await session.ended;
      session = undefined;
      releaseMember?.();
      releaseMember = undefined;
      // Events may be lost between two streams: the next read fills the view again.
      feed?.drop();
      if (deps.stats && live) deps.stats.watching -= 1;
      live = false;
      firstAttempt?.();
      const then = closed ? 'stop' : handleEnd(end);
      if (then === 'stop') return;
      if (then === 'move') continue;
      const delay = backoff.next();
      log.debug('etcd watch retrying', { delayMs: delay });
      await sleeper.sleep(delay);
    }
  };

  const running = loop().catch((err: unknown) => fail(`watch loop stopped: ${describeEtcdError(err)}`, err));
  await firstSettled;
  firstAttempt = undefined;

  return {
    close: async () => {
      closed = true;
      unsubscribe();
      session?.end({ kind: 'closed' });
      sleeper.wake();
      await running;
      feed?.release();
    },
  };
};
