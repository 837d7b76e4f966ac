// One round at a time; what is marked together runs together; stop() ends
// the running round after its resource in flight and starts no other.
import { describe, expect, it } from 'vitest';
import { createRoundQueue } from '../../src/daemon/round-queue.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('round queue', () => {
  it('joins resources marked in one turn into one round and queues the rest for the next', async () => {
    const rounds: string[][] = [];
    let release = (): void => undefined;
    const queue = createRoundQueue(async (names) => {
      rounds.push([...names].sort());
      if (rounds.length === 1) await new Promise<void>((r) => (release = r));
    });
    queue.add(['b']);
    queue.add(['a']);
    await tick();
    queue.add(['c']);
    queue.add(['d']);
    await tick();
    expect(rounds).toEqual([['a', 'b']]);
    release();
    await queue.idle();
    expect(rounds).toEqual([['a', 'b'], ['c', 'd']]);
  });

  it('tells a running round it is stopped and starts nothing after stop', async () => {
    const seen: string[] = [];
    let release = (): void => undefined;
    const queue = createRoundQueue(async (names, stopped) => {
      for (const name of names) {
        if (stopped()) break;
        seen.push(name);
        await new Promise<void>((r) => (release = r));
      }
    });
    queue.add(['a', 'b', 'c']);
    await tick();
    queue.add(['d']);
    queue.stop();
    release();
    await queue.idle();
    queue.add(['e']);
    await queue.idle();
    expect(seen).toEqual(['a']);
    expect(queue.stopped()).toBe(true);
  });

  it('keeps a round that threw within one turn and throws it from the next idle()', async () => {
    const queue = createRoundQueue(async () => {
      throw new Error('boom');
    });
    queue.add(['a']);
    await tick();
    await tick();
    await expect(queue.idle()).rejects.toThrow('boom');
    await expect(queue.idle()).resolves.toBeUndefined();
  });
});
