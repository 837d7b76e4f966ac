// The settler: work after a file went live runs later, one job at a time, in
// order; settled() waits for all of it; a failing job is reported and the
// jobs after it still run. The one-shot's eager settler starts each job at
// once and settled() waits for every one, those queued meanwhile too.
import { describe, expect, it } from 'vitest';
import { createEagerSettler, createSettler } from '../../src/resource/settle.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A promise a test resolves when it chooses: `open()` lets `opened` through. */
const gate = (): { opened: Promise<void>; open: () => void } => {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
};

describe('settler', () => {
  it('runs jobs one at a time in the order given, and settled() waits for jobs queued meanwhile', async () => {
    const errors: unknown[] = [];
    const settler = createSettler((err) => errors.push(err));
    const log: string[] = [];
    const a = gate();
    settler.defer(async () => {
      log.push('a start');
      await a.opened;
      log.push('a end');
    });
    settler.defer(async () => {
      log.push('b');
      settler.defer(async () => {
        log.push('c');
      });
    });
    await tick();
    expect(log).toEqual(['a start']);
    let settled = false;
    const waiting = settler.settled().then(() => (settled = true));
    await tick();
    expect(settled).toBe(false);
    a.open();
    await waiting;
    expect(log).toEqual(['a start', 'a end', 'b', 'c']);
    expect(errors).toEqual([]);
  });

  it('reports a job that throws and goes on with the next', async () => {
    const errors: unknown[] = [];
    const settler = createSettler((err) => errors.push(err));
    const log: string[] = [];
    settler.defer(async () => {
      throw new Error('disk gone');
    });
    settler.defer(async () => {
      log.push('next');
    });
    await settler.settled();
    expect(log).toEqual(['next']);
    expect(errors.map((e) => (e as Error).message)).toEqual(['disk gone']);
  });

  it('is settled at once when nothing was queued', async () => {
    await expect(createSettler(() => undefined).settled()).resolves.toBeUndefined();
  });
  it('mark() waits for the jobs queued so far, not for those queued after it', async () => {
    const settler = createSettler(() => undefined);
    const a = gate();
    const b = gate();
    settler.defer(() => a.opened);
    let marked = false;
    const mark = settler.mark().then(() => (marked = true));
    settler.defer(() => b.opened);
    await tick();
    expect(marked).toBe(false);
    a.open();
    await mark;
    expect(marked).toBe(true);
    let settled = false;
    const all = settler.settled().then(() => (settled = true));
    await tick();
    expect(settled).toBe(false);
    b.open();
    await all;
  });
});

describe('eager settler (--onetime)', () => {
  it('starts each job at once, and settled() waits for every job, those queued meanwhile too', async () => {
    const errors: unknown[] = [];
    const settler = createEagerSettler((err) => errors.push(err));
    const log: string[] = [];
    const a = gate();
    settler.defer(async () => {
      log.push('a start');
      await a.opened;
      log.push('a end');
    });
    // Started before a has finished: one at a time, b would wait for a forever.
    settler.defer(async () => {
      log.push('b start');
      a.open();
      await tick();
      settler.defer(async () => {
        await tick();
        log.push('c');
      });
    });
    expect(log).toEqual(['a start', 'b start']);
    await settler.settled();
    expect(log).toEqual(['a start', 'b start', 'a end', 'c']);
    expect(errors).toEqual([]);
  });

  it('reports a job that throws without stopping the others', async () => {
    const errors: unknown[] = [];
    const settler = createEagerSettler((err) => errors.push(err));
    let done = false;
    settler.defer(async () => {
      throw new Error('disk gone');
    });
    settler.defer(async () => {
      await tick();
      done = true;
    });
    await settler.settled();
    expect(done).toBe(true);
    expect(errors.map((e) => (e as Error).message)).toEqual(['disk gone']);
    await expect(createEagerSettler(() => undefined).settled()).resolves.toBeUndefined();
  });
});
