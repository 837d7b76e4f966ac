// The last answer of each watched KV path. A blocking query that returns a
// change carries the path's values already; they are kept, so the round it
// wakes reads nothing more (as consul-template renders from the answer that
// woke it). An answer is never changed after it is kept (each read builds a
// new Map), so a round can share it without a copy. A failed query, a closed
// watch or a write of this process drops what was kept: the next round reads.
import type { Snapshot } from '../backend.js';
import { collapsePaths, isKeyUnder, normalizeKey } from '../keys.js';
import { snapshotOfReads, type KvRead } from './kv.js';

export interface KeptAnswers {
  /** The latest answer of the watch's query. */
  set(read: KvRead): void;
  /** The query failed: what was kept may be out of date. */
  drop(): void;
  /** The watch is closed. */
  release(): void;
}

export interface WatchedValues {
  /** The answers of a watch of `path`; undefined when another watch of the path keeps them already. */
  keep(path: string): KeptAnswers | undefined;
  /** These paths from the kept answers, when every one has one; else undefined. */
  snapshot(paths: readonly string[]): Snapshot | undefined;
  /** A write of this process (undefined: any key): drops the answers that hold the key. */
  forget(key?: string): void;
}

export const createWatchedValues = (): WatchedValues => {
  const slots = new Map<string, { read?: KvRead }>();
  return {
    keep: (rawPath) => {
      const path = normalizeKey(rawPath);
      if (slots.has(path)) return undefined;
      const slot: { read?: KvRead } = {};
      slots.set(path, slot);
      return {
        set: (read) => {
          slot.read = read;
        },
        drop: () => {
          delete slot.read;
        },
        release: () => {
          if (slots.get(path) === slot) slots.delete(path);
        },
      };
    },
    snapshot: (paths) => {
      const reads = collapsePaths(paths).map((p) => slots.get(p)?.read);
      if (reads.length === 0 || reads.some((r) => r === undefined)) return undefined;
      // Merged as a read of each path would be.
      return snapshotOfReads(reads as KvRead[]);
    },
    forget: (key) => {
      for (const [path, slot] of slots) if (key === undefined || isKeyUnder(normalizeKey(key), path)) delete slot.read;
    },
  };
};
