// What each watched path holds, kept current by its watch's events. A read
// fills a path's view when its watch has consumed no event past the read's
// revision; from then on every event of that path is applied in order, so the
// view is the path at one exact revision (the last event's, or a progress
// notification's). A round whose paths are all known at one revision is
// served from memory at that revision: no read after a change, and still one
// revision per snapshot. Anything that may have lost an event (a stream that
// ended, a fragment) drops the view until the next read.
//
// A snapshot handed out shares the view's Map (no copy); the next event copies
// the Map before changing it, so a round's snapshot never changes under it.
import { isUtf8 } from 'node:buffer';
import type { IEvent } from 'etcd3';
import type { Snapshot } from '../backend.js';
import { collapsePaths, isKeyUnder } from '../keys.js';

interface View {
  /** Sorted by key (as reads return them) unless `unsorted`. */
  values: Map<string, string>;
  invalid: Set<string>;
  revision: bigint;
  /** A snapshot shares `values` and `invalid`: copy before changing them. */
  lent: boolean;
  unsorted: boolean;
}

/** One watch's side of its path's view. */
export interface ViewFeed {
  /** The events of one watch response, in order. */
  events(events: readonly IEvent[]): void;
  /** A progress notification: nothing changed below the path up to `revision`. */
  progress(revision: bigint): void;
  /** Events may have been missed (the stream ended): forget the view until the next read. */
  drop(): void;
  /** The watch is closed. */
  release(): void;
}

export interface WatchedViews {
  /**
   * The feed of a watch of `path`; `position` is the revision of the next event
   * it will apply (undefined until etcd confirmed it). Undefined when another
   * watch of the same path keeps its view already.
   */
  feed(path: string, position: () => bigint | undefined): ViewFeed | undefined;
  /** These paths from memory, when each is known at one and the same revision; else undefined. */
  snapshot(paths: readonly string[]): Snapshot | undefined;
  /** A snapshot read from etcd: each watched path whose watch is not past its revision takes it as its view. */
  fill(paths: readonly string[], read: Snapshot): void;
  /**
   * A write of this process (undefined: any key): the views that hold the key
   * are dropped, so a read right after it sees it even before its event comes.
   */
  forget(key?: string): void;
}

const byKey = ([a]: [string, string], [b]: [string, string]): number => (a < b ? -1 : a > b ? 1 : 0);

const sorted = (entries: Iterable<[string, string]>): Map<string, string> => new Map([...entries].sort(byKey));

export const createWatchedViews = (): WatchedViews => {
  const feeds = new Map<string, { position: () => bigint | undefined; view?: View }>();

  const writable = (view: View): View => {
    if (view.lent) {
      view.values = new Map(view.values);
      view.invalid = new Set(view.invalid);
      view.lent = false;
    }
    return view;
  };

  const lend = (view: View): View => {
    if (view.unsorted) {
      view.values = sorted(view.values);
      view.unsorted = false;
    }
    view.lent = true;
    return view;
  };

  return {
    feed: (path, position) => {
      if (feeds.has(path)) return undefined;
      const slot: { position: () => bigint | undefined; view?: View } = { position };
      feeds.set(path, slot);
      return {
        events: (events) => {
          const view = slot.view;
          if (!view) return;
          for (const event of events) {
            const revision = BigInt(event.kv.mod_revision);
            // Already in the read the view came from.
            if (revision <= view.revision) continue;
            view.revision = revision;
            const key = event.kv.key.toString('utf8');
            if (!isKeyUnder(key, path)) continue;
            const v = writable(view);
            if (event.type === 'Delete') {
              v.values.delete(key);
              v.invalid.delete(key);
              continue;
            }
            if (!v.values.has(key)) v.unsorted = true;
            v.values.set(key, event.kv.value.toString('utf8'));
            if (isUtf8(event.kv.value)) v.invalid.delete(key);
            else v.invalid.add(key);
          }
        },
        progress: (revision) => {
          if (slot.view && revision > slot.view.revision) slot.view.revision = revision;
        },
        drop: () => {
          delete slot.view;
        },
        release: () => {
          if (feeds.get(path) === slot) feeds.delete(path);
        },
      };
    },

    snapshot: (paths) => {
      const wanted = collapsePaths(paths.length > 0 ? paths : ['/']);
      const views = wanted.map((p) => feeds.get(p)?.view);
      const [first] = views;
      if (!first || views.some((v) => v === undefined || v.revision !== first.revision)) return undefined;
      const revision = first.revision.toString();
      if (views.length === 1) {
        const view = lend(first);
        return { values: view.values, revision, invalidUtf8: [...view.invalid] };
      }
      const all = views as View[];
      return {
        values: sorted(all.flatMap((v) => [...v.values])),
        revision,
        invalidUtf8: all.flatMap((v) => [...v.invalid]),
      };
    },

    fill: (paths, read) => {
      if (read.revision === undefined) return;
      const revision = BigInt(read.revision);
      const wanted = collapsePaths(paths.length > 0 ? paths : ['/']);
      // Only a watch that has applied nothing past the read can carry on from it.
      const fillable = wanted.filter((p) => {
        const at = feeds.get(p)?.position();
        return at !== undefined && at <= revision + 1n;
      });
      const invalid = read.invalidUtf8 ?? [];
      for (const path of fillable) {
        const slot = feeds.get(path);
        if (!slot) continue;
        // One path read alone: the view is the snapshot's own Map, shared with the round.
        const values =
          wanted.length === 1 ? read.values : new Map([...read.values].filter(([k]) => isKeyUnder(k, path)));
        const mine = new Set(wanted.length === 1 ? invalid : invalid.filter((k) => isKeyUnder(k, path)));
        slot.view = { values, invalid: mine, revision, lent: true, unsorted: false };
      }
    },

    forget: (key) => {
      for (const [path, slot] of feeds) if (key === undefined || isKeyUnder(key, path)) delete slot.view;
    },
  };
};
