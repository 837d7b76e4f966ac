// The settler: work after a file went live runs later, one job at a time, in
// order; settled() waits for all of it; a failing job is reported and the
// jobs after it still run. The one-shot's eager settler starts each job at
// once and settled() waits for every one, those queued meanwhile too.
import { describe, expect, it } from 'vitest';
import { createEagerSettler, createSettler } from '../../src/resource/settle.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('settler', () => {
  it('runs jobs one at a time in the order given, and settled() waits for jobs queued meanwhile', async () => {
    const errors: unknown[] = [];
    const settler = createSettler((err) => errors.push(err));
    const log: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    settler.defer(async () => {
      log.push('a start');
      await gate;
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
    release();
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
    let releaseA: () => void = () => undefined;
    let releaseB: () => void = () => undefined;
    const gateA = new Promise<void>((r) => (releaseA = r));
    const gateB = new Promise<void>((r) => (releaseB = r));
    settler.defer(() => gateA);
    let marked = false;
    const mark = settler.mark().then(() => (marked = true));
    settler.defer(() => gateB);
    await tick();
    expect(marked).toBe(false);
    releaseA();
    await mark;
    expect(marked).toBe(true);
    let settled = false;
    const all = settler.settled().then(() => (settled = true));
    await tick();
    expect(settled).toBe(false);
    releaseB();
    await all;
  });
});

describe('eager settler (--onetime)', () => {
  it('starts each job at once, and settled() waits for every job, those queued meanwhile too', async () => {
    const errors: unknown[] = [];
    const settler = createEagerSettler((err) => errors.push(err));
    const log: string[] = [];
    let releaseA: () => void = () => undefined;
    const gateA = new Promise<void>((r) => (releaseA = r));
    settler.defer(async () => {
      log.push('a start');
      await gateA;
      log.push('a end');
    });
    // Started before a has finished: one at a time, b would wait for a forever.
    settler.defer(async () => {
      log.push('b start');
      releaseA();
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
