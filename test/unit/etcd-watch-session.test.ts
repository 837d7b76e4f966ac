import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { IWatchResponse } from 'etcd3';
import { runWatchSession, type WatchStream } from '../../src/backends/etcd/watch-session.js';

// A stand-in for the gRPC duplex stream: records writes, replays responses.
const fakeStream = () => {
  const emitter = new EventEmitter();
  const writes: unknown[] = [];
  let ended = false;
  let canceled = false;
  const stream = Object.assign(emitter, {
    write: (item: unknown) => void writes.push(item),
    end: () => void (ended = true),
    cancel: () => {
      canceled = true;
      emitter.emit('error', new Error('1 CANCELLED: Cancelled on client'));
    },
  }) as unknown as WatchStream & EventEmitter;
  return { stream, writes, state: () => ({ ended, canceled }) };
};

const response = (fields: Partial<IWatchResponse>): IWatchResponse => ({
  header: { cluster_id: '1', member_id: '1', revision: '10', raft_term: '2' },
  watch_id: '0',
  created: false,
  canceled: false,
  compact_revision: '0',
  cancel_reason: '',
  fragment: false,
  events: [],
  ...fields,
});

const hooks = (seen: IWatchResponse[] = []) => ({ established: () => undefined, response: (r: IWatchResponse) => void seen.push(r) });

describe('runWatchSession', () => {
  it('sends the create request, passes responses on, and ends the stream when asked', async () => {
    const { stream, writes, state } = fakeStream();
    const seen: IWatchResponse[] = [];
    const session = runWatchSession(stream, { start_revision: '5' }, hooks(seen), 1000);
    expect(writes).toEqual([{ create_request: { start_revision: '5' } }]);
    stream.emit('data', response({ created: true }));
    stream.emit('data', response({ events: [] }));
    session.end({ kind: 'closed' });
    expect(await session.ended).toEqual({ kind: 'closed' });
    expect(seen).toHaveLength(1);
    expect(state()).toEqual({ ended: true, canceled: true });
  });

  it('reports a compacted start with the compaction revision', async () => {
    const { stream } = fakeStream();
    const session = runWatchSession(stream, {}, hooks(), 1000);
    stream.emit('data', response({ created: true }));
    stream.emit('data', response({ canceled: true, compact_revision: '42', cancel_reason: 'mvcc: required revision has been compacted' }));
    expect(await session.ended).toEqual({ kind: 'compacted', compactRevision: '42' });
  });

  it('reports a watch refused at creation with etcd reason', async () => {
    const { stream } = fakeStream();
    const session = runWatchSession(stream, {}, hooks(), 1000);
    stream.emit('data', response({ created: true, canceled: true, cancel_reason: 'etcdserver: permission denied' }));
    expect(await session.ended).toEqual({ kind: 'canceled', reason: 'etcdserver: permission denied' });
  });

  it('gives up on a watch that etcd never confirms', async () => {
    const { stream, state } = fakeStream();
    const end = await runWatchSession(stream, {}, hooks(), 30).ended;
    expect(end.kind).toBe('error');
    expect(end.kind === 'error' && end.error.message).toMatch(/did not confirm the watch within 30 ms/);
    expect(state().canceled).toBe(true);
  });

  it('ends with the stream error when the connection drops', async () => {
    const { stream } = fakeStream();
    const session = runWatchSession(stream, {}, hooks(), 1000);
    stream.emit('data', response({ created: true }));
    stream.emit('error', new Error('14 UNAVAILABLE: Connection dropped'));
    const end = await session.ended;
    expect(end.kind === 'error' && end.error.message).toBe('14 UNAVAILABLE: Connection dropped');
  });

  it('asks a quiet stream for progress, and ends it as stalled when the member does not answer', async () => {
    const { stream, writes } = fakeStream();
    const session = runWatchSession(stream, {}, hooks(), 5000, { probeEveryMs: 40, stallMs: 60 });
    stream.emit('data', response({ created: true }));
    const started = Date.now();
    const end = await session.ended;
    expect(writes).toContainEqual({ progress_request: {} });
    expect(end).toEqual({ kind: 'stalled', detail: 'no answer to a watch progress request within 60 ms' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('asks a stream that carried events steadily for progress soon after it falls silent, and reports the answer time', async () => {
    const { stream, writes } = fakeStream();
    const answers: number[] = [];
    const session = runWatchSession(stream, {}, hooks(), 5000, { probeEveryMs: 2000, stallMs: () => 5000, answered: (ms) => void answers.push(ms) });
    stream.emit('data', response({ created: true }));
    // Events every 10 ms for a while: the usual gap is small.
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 10));
      stream.emit('data', response({ events: [] }));
    }
    const silentAt = Date.now();
    const probed = (): boolean => writes.some((w) => (w as { progress_request?: object }).progress_request !== undefined);
    while (!probed() && Date.now() - silentAt < 3000) await new Promise((r) => setTimeout(r, 5));
    // Well before the 2000 ms a stream that rarely speaks waits.
    expect(Date.now() - silentAt).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, 30));
    stream.emit('data', response({ watch_id: '-1' }));
    expect(answers).toHaveLength(1);
    expect(answers[0]).toBeGreaterThanOrEqual(25);
    session.end({ kind: 'closed' });
    expect(await session.ended).toEqual({ kind: 'closed' });
  });

  it('keeps a stream that answers its progress requests', async () => {
    const { stream, writes } = fakeStream();
    const session = runWatchSession(stream, {}, hooks(), 5000, { probeEveryMs: 20, stallMs: 60 });
    stream.emit('data', response({ created: true }));
    const probes = (): number => writes.filter((w) => (w as { progress_request?: object }).progress_request).length;
    let answered = 0;
    const answer = setInterval(() => {
      if (probes() > answered) {
        answered = probes();
        stream.emit('data', response({ watch_id: '-1' }));
      }
    }, 10);
    await new Promise((r) => setTimeout(r, 300));
    clearInterval(answer);
    session.probe();
    session.end({ kind: 'closed' });
    expect(await session.ended).toEqual({ kind: 'closed' });
    expect(probes()).toBeGreaterThan(2);
  });
});
