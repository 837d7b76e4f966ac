// Rounds, one at a time. Resources marked ready join the next round; a round
// starts on the next turn of the event loop, so every resource woken by the
// same change (or by timers firing together) shares one round and one
// snapshot. Resources marked during a round wait for the next one. A round
// that throws is kept and thrown by the next idle(): a round can run to its
// end (and fail) within one turn, before anyone awaits it.

export interface RoundQueue {
  /** Marks resources for the next round and makes sure one will run. */
  add(names: Iterable<string>): void;
  /** Resolves when no round is running or queued; rejects with what a round threw since the last call. */
  idle(): Promise<void>;
  /** From now on no round starts, and the running one ends after its resource in flight. */
  stop(): void;
  /** True once stop() was called. */
  stopped(): boolean;
}

/** `run` processes the named resources and asks `stopped` between resources. */
export type RunRound = (names: ReadonlySet<string>, stopped: () => boolean) => Promise<void>;

export const createRoundQueue = (run: RunRound): RoundQueue => {
  const ready = new Set<string>();
  let round: Promise<void> | undefined;
  let scheduled = false;
  let stopped = false;
  let failure: { error: unknown } | undefined;
  const isStopped = (): boolean => stopped;

  const drain = async (): Promise<void> => {
    while (ready.size > 0 && !stopped) {
      const names = new Set(ready);
      ready.clear();
      await run(names, isStopped);
    }
  };

  const kick = (): void => {
    if (round || scheduled || stopped) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      if (round || stopped) return;
      round = drain()
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(() => {
          round = undefined;
          // A resource may have been marked between the last check and the finally.
          if (ready.size > 0) kick();
        });
    });
  };

  return {
    add: (names) => {
      if (stopped) return;
      for (const name of names) ready.add(name);
      kick();
    },
    idle: async () => {
      while (round || scheduled) {
        if (round) await round;
        else await new Promise((r) => setImmediate(r));
      }
      if (failure) {
        const { error } = failure;
        failure = undefined;
        throw error;
      }
    },
    stop: () => {
      stopped = true;
      ready.clear();
    },
    stopped: isStopped,
  };
};
