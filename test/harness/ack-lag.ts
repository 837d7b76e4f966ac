// How far behind the store a rendered file is: a writer that puts a counter
// at a steady rate and notes when etcd acknowledged each value, and samplers
// that read dest files and measure, at every sample, how long ago the oldest
// acknowledged value the file does not show yet was acknowledged.
import { existsSync, readFileSync } from 'node:fs';
import { Etcd3 } from 'etcd3';

export interface AckWriter {
  /** Acknowledgement time (ms) of each value written so far. */
  readonly acks: ReadonlyMap<number, number>;
  /** The last value acknowledged. */
  last(): number;
  /** Errors seen (the writer retries the same value). */
  errors(): number;
  stop(): Promise<void>;
}

/** Puts 1, 2, 3 ... under `key` through `endpoints`, `perSecond` times a second. */
export const startAckWriter = (endpoints: readonly string[], key: string, perSecond: number): AckWriter => {
  const client = new Etcd3({ hosts: [...endpoints], defaultCallOptions: () => ({ deadline: new Date(Date.now() + 2000) }) });
  const acks = new Map<number, number>();
  let seq = 0;
  let errors = 0;
  let stopped = false;
  const gap = 1000 / perSecond;
  const run = async (): Promise<void> => {
    let due = Date.now();
    while (!stopped) {
      try {
        await client.put(key).value(String(seq + 1));
        seq += 1;
        acks.set(seq, Date.now());
      } catch {
        errors += 1;
      }
      due += gap;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      else due = Date.now();
    }
  };
  const running = run();
  return {
    acks,
    last: () => seq,
    errors: () => errors,
    stop: async () => {
      stopped = true;
      await running;
      client.close();
    },
  };
};

/** The value a dest file shows: the number after `value=`, 0 when none. */
export const shownValue = (file: string): number => {
  if (!existsSync(file)) return 0;
  const m = /value=(\d+)/.exec(readFileSync(file, 'utf8'));
  return m ? Number(m[1]) : 0;
};

export interface LagSampler {
  /** Worst lag seen (ms) since the last reset. */
  worst(): number;
  /** Lag samples (ms) since the last reset. */
  samples(): number[];
  reset(): void;
  stop(): void;
}

/** Samples `file` every `everyMs`: lag = now − ack time of the first acknowledged value the file does not show. */
export const sampleLag = (file: string, writer: AckWriter, everyMs = 20): LagSampler => {
  let samples: number[] = [];
  const timer = setInterval(() => {
    const missing = writer.acks.get(shownValue(file) + 1);
    samples.push(missing === undefined ? 0 : Math.max(0, Date.now() - missing));
  }, everyMs);
  return {
    worst: () => Math.max(0, ...samples),
    samples: () => samples,
    reset: () => {
      samples = [];
    },
    stop: () => clearInterval(timer),
  };
};

/** p50/p90/p99/max of samples, for the log. */
export const distribution = (samples: readonly number[]): string => {
  const sorted = [...samples].sort((a, b) => a - b);
  const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;
  return `n=${sorted.length} p50=${q(0.5)} p90=${q(0.9)} p99=${q(0.99)} max=${q(1)} ms`;
};
