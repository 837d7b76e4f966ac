// Work that follows a file going live and that nothing in the next change
// needs: making the rename durable when no reload_cmd follows it (the
// directory's fsync), removing the previous file's backup once it is no
// longer needed, the history entry. Each of these waits on the disk (an
// fsync is a journal commit, tens of ms when the disk is busy); done inline,
// a change arriving meanwhile waited for the previous round's disk work
// before its own render. Handed to a settler, the round ends when dest shows
// the new content, and the next change starts at once.
//
// Jobs run one at a time, in the order given, so a resource's history stays
// in order. The change loop waits for them on stop() and idle(), and lets a
// round start only once the work of the round before the last has settled:
// at most two rounds' work (each history entry holds a whole render) waits
// at any time, however fast changes come. --onetime has no next change to
// make way for, only its end: its settler starts each job at once
// (createEagerSettler), so the fsyncs of its resources wait on the disk
// together and one resource's does not hold up the next one's render.

export interface Settler {
  /** Queues a job; it starts once the jobs queued before it have finished. */
  defer(job: () => Promise<void>): void;
  /** Resolves once every job queued so far (and any queued while waiting) has finished. */
  settled(): Promise<void>;
  /** Resolves once every job queued so far has finished, whatever is queued after. */
  mark(): Promise<void>;
}

/** `onError` gets what a job threw; jobs should report their own failures with their resource and stage. */
export const createSettler = (onError: (err: unknown) => void): Settler => {
  let tail: Promise<void> = Promise.resolve();
  let pending = 0;
  return {
    defer: (job) => {
      pending += 1;
      tail = tail
        .then(job)
        .catch((err: unknown) => {
          try {
            onError(err);
          } catch {
            // A report that fails must not stop the jobs queued after this one.
          }
        })
        .finally(() => {
          pending -= 1;
        });
    },
    settled: async () => {
      while (pending > 0) await tail;
    },
    // tail never rejects: every job's failure is caught above.
    mark: () => tail,
  };
};

/**
 * Starts each job as it is queued (a run renders each resource once, so no
 * two jobs touch the same history); settled() waits for all of them.
 */
export const createEagerSettler = (onError: (err: unknown) => void): Settler => {
  const running = new Set<Promise<void>>();
  const all = async (): Promise<void> => {
    while (running.size > 0) await Promise.all(running);
  };
  return {
    defer: (job) => {
      const run: Promise<void> = job()
        .catch((err: unknown) => {
          try {
            onError(err);
          } catch {
            // A report that fails must not fail the run's end.
          }
        })
        .finally(() => running.delete(run));
      running.add(run);
    },
    settled: all,
    mark: async () => {
      await Promise.all(running);
    },
  };
};
