// Consul KV: key paths ("/app/live") on the wire without the leading slash
// ("app/live"), recursive reads that keep only the key itself and what is
// below it (Consul's recurse is a plain prefix match: "app/lively" too).
import type { Snapshot } from '../backend.js';
import { normalizeKey } from '../keys.js';
import { decodedFaithfully, utf8Slice } from '../utf8.js';
import type { Answer, ConsulConnection, Purpose, SendMode } from './client.js';
import type { CallOptions, QueryOptions } from './http-api.js';

export interface KvEntry {
  Key: string;
  /** The stored bytes in base64, as the agent sent them (read with `base64: true`); null for none. */
  Value: string | null;
}

/** One read of one path: its entries by absolute key, and the X-Consul-Index. */
export interface KvRead {
  values: Map<string, string>;
  index: number;
  /** Keys whose stored bytes were not valid UTF-8 (their values hold U+FFFD instead); absent when none. */
  invalidUtf8?: string[];
}

/** Blocking-query parameters; absent for a plain read. */
export interface Blocking {
  index: number;
  waitSeconds: number;
}

/** "/app/live" → "app/live"; "/" → "". */
export const toWireKey = (path: string): string => normalizeKey(path).slice(1);

/** "app/live" → "/app/live". A key as Consul stores it most often (no empty part) is only prefixed. */
export const fromWireKey = (key: string): string =>
  key !== '' && key[0] !== '/' && !key.endsWith('/') && !key.includes('//') ? `/${key}` : normalizeKey(key);

const readPurpose = (wireKey: string): Purpose => ({ action: `reading key "${wireKey}"`, permission: 'key:read' });
const writePurpose = (verb: string, wireKey: string): Purpose => ({ action: `${verb} key "${wireKey}"`, permission: 'key:write' });

/**
 * One snapshot of reads of disjoint paths: their values, the newest index as
 * the revision, the keys that were not UTF-8. One read: its own Map, no copy.
 */
export const snapshotOfReads = (reads: readonly KvRead[]): Snapshot => {
  const values = reads.length === 1 ? (reads[0] as KvRead).values : new Map(reads.flatMap((r) => [...r.values]));
  const revision = Math.max(0, ...reads.map((r) => r.index));
  const invalidUtf8 = reads.flatMap((r) => r.invalidUtf8 ?? []);
  return {
    values,
    ...(revision > 0 ? { revision: String(revision) } : {}),
    ...(invalidUtf8.length > 0 ? { invalidUtf8 } : {}),
  };
};

/** How long a query may take; a blocking one waits up to wait plus Consul's jitter of wait/16. */
export const queryTimeoutMs = (requestTimeoutMs: number, blocking?: Blocking): number =>
  blocking && blocking.index > 0 ? Math.ceil(blocking.waitSeconds * 1000 * (1 + 1 / 16)) + requestTimeoutMs : requestTimeoutMs;

/** A query with an index blocks on the agent; any other read is a plain one. */
export const readMode = (blocking: Blocking | undefined): SendMode => (blocking && blocking.index > 0 ? 'blocking' : 'read');

export const blockingOptions = (o: CallOptions, blocking: Blocking | undefined): QueryOptions =>
  blocking && blocking.index > 0 ? { ...o, index: String(blocking.index), wait: `${blocking.waitSeconds}s` } : o;

// Buffer's own base64 decoder without write()'s argument checks (which,
// called once per value, the optimizing compiler would take up in a one-shot).
type Base64Writer = (this: Buffer, text: string, offset: number, length: number) => number;
const base64Write: Base64Writer =
  (Buffer.prototype as unknown as { base64Write?: Base64Writer }).base64Write ??
  function (this: Buffer, text: string, offset: number, length: number): number {
    return this.write(text, offset, length, 'base64');
  };

/** Bytes for base64 text of `length` characters: 3 per 4 characters, rounded up. */
const base64Capacity = (length: number): number => ((length + 3) >>> 2) * 3;

/**
 * The values of a read's entries at or below wirePath, by absolute key, and
 * the keys whose bytes are not UTF-8 (their values hold U+FFFD instead, as
 * Buffer's UTF-8 decoding gives them). Written for the common case, as it
 * runs once per key before the code is optimized: one loop, each value's
 * base64 decoded into one scratch buffer and read from it as text (no
 * Buffer per value), no call per key but the key's path and its decoding.
 */
export const decodeKvEntries = (entries: readonly KvEntry[], wirePath: string): Pick<KvRead, 'values' | 'invalidUtf8'> => {
  const values = new Map<string, string>();
  let invalidUtf8: string[] | undefined;
  const below = wirePath + '/';
  let scratch: Buffer | undefined;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as KvEntry;
    const wireKey = entry.Key;
    // The path itself or below it; "dir/" entries are folder markers with no value of their own.
    if ((wirePath !== '' && wireKey !== wirePath && !wireKey.startsWith(below)) || wireKey.endsWith('/')) continue;
    const key = fromWireKey(wireKey);
    const base64 = entry.Value;
    let value = '';
    if (base64) {
      const capacity = base64Capacity(base64.length);
      if (!scratch || scratch.length < capacity) scratch = Buffer.allocUnsafeSlow(Math.max(capacity, 4096));
      const size = base64Write.call(scratch, base64, 0, capacity);
      value = utf8Slice.call(scratch, 0, size);
      if (!decodedFaithfully(value, scratch, 0, size)) (invalidUtf8 ??= []).push(key);
    }
    values.set(key, value);
  }
  return invalidUtf8 ? { values, invalidUtf8 } : { values };
};

/** Every entry at or below path (a blocking query when `blocking` has an index). */
export const readKvPath = async (
  conn: ConsulConnection,
  path: string,
  requestTimeoutMs: number,
  blocking?: Blocking,
  signal?: AbortSignal,
): Promise<KvRead> => {
  const wirePath = toWireKey(path);
  const purpose = readPurpose(wirePath);
  const answer: Answer<KvEntry[] | KvEntry> = await conn.send(purpose, queryTimeoutMs(requestTimeoutMs, blocking), (api, o) =>
    api.kv.get({ ...blockingOptions(o, blocking), key: wirePath, recurse: true, base64: true }),
  signal, readMode(blocking));
  const entries = answer.body === undefined ? [] : Array.isArray(answer.body) ? answer.body : [answer.body];
  const { values, invalidUtf8 } = decodeKvEntries(entries, wirePath);
  // Consul hides keys the token cannot read from a recursive read without
  // saying so; a plain read of the key itself answers 403 instead.
  if (values.size === 0 && wirePath !== '') {
    await conn.send(purpose, requestTimeoutMs, (api, o) => api.kv.get({ ...o, key: wirePath }), signal, 'read');
  }
  return invalidUtf8 ? { values, index: answer.index, invalidUtf8 } : { values, index: answer.index };
};

export const putKvKey = async (conn: ConsulConnection, key: string, value: string, timeoutMs: number): Promise<void> => {
  const wireKey = toWireKey(key);
  const answer = await conn.send<boolean>(writePurpose('writing', wireKey), timeoutMs, (api, o) => api.kv.set({ ...o, key: wireKey, value }));
  if (answer.body !== true) throw conn.fail(writePurpose('writing', wireKey), `writing key "${wireKey}" failed: consul answered ${String(answer.body)}`);
};

export const deleteKvKey = async (conn: ConsulConnection, key: string, timeoutMs: number): Promise<void> => {
  const wireKey = toWireKey(key);
  await conn.send(writePurpose('deleting', wireKey), timeoutMs, (api, o) => api.kv.del({ ...o, key: wireKey }));
};

/**
 * A stable text form of a read's values, to tell a real change from a
 * wake-up with equal data. Which keys hold bytes that are not UTF-8 is part
 * of it: bad bytes and a U+FFFD written as such read as the same text.
 */
export const fingerprintRead = ({ values, invalidUtf8 }: Pick<KvRead, 'values' | 'invalidUtf8'>): string =>
  JSON.stringify([...values].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) + (invalidUtf8 ? JSON.stringify(invalidUtf8) : '');
