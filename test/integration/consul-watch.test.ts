// Consul-specific watch behaviour against a real agent: what wakes a watch,
// what does not, and recovery from an agent restart (-dev keeps KV in memory,
// so the restarted agent's index starts over lower).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/backend.js';
import { createConsulBackend } from '../../src/backends/consul/index.js';
import { silentLogger } from '../../src/log.js';
import { watchAndRead, type ReadingWatch } from '../contract/backend-contract.js';
import { startConsul, type ConsulServer } from '../harness/consul.js';
import { waitFor } from '../harness/wait.js';

describe('consul KV watch', () => {
  let server: ConsulServer;
  let backend: Backend;
  const watches: ReadingWatch[] = [];
  const watch = async (path: string): Promise<ReadingWatch> => {
    const w = await watchAndRead(backend, path);
    watches.push(w);
    return w;
  };

  beforeAll(async () => {
    server = await startConsul();
    // A wait far longer than any deadline below: a change is only seen in time if the loop is right.
    backend = createConsulBackend({ nodes: [server.address], files: [] }, silentLogger, { waitSeconds: 300, backoffMaxMs: 1_000 });
  });
  afterAll(async () => {
    for (const w of watches) await w.close();
    await backend?.close();
    await server?.stop();
  });

  it('maps key paths to Consul keys without the leading slash', async () => {
    await backend.put!('/m/app/port', '9001');
    const res = await server.http('GET', '/v1/kv/m/app/port?raw=true');
    expect(res.body).toBe('9001');
    const snap = await backend.getValues(['/m/app']);
    expect([...snap.values]).toEqual([['/m/app/port', '9001']]);
    expect(Number(snap.revision)).toBeGreaterThan(0);
    await backend.delete!('/m/app/port');
    expect((await backend.getValues(['/m'])).values.size).toBe(0);
  });

  it('a watch on one key does not fire for writes to a sibling that shares its prefix, or elsewhere', async () => {
    await server.kvPut('/x1/app/live', 'blue');
    const w = await watch('/x1/app/live');
    for (let i = 0; i < 3; i += 1) {
      await server.kvPut('/x1/app/lively', `noise-${i}`);
      await server.kvPut('/x1/other', `noise-${i}`);
    }
    await server.kvPut('/x1/app/live', 'green');
    await waitFor('the watch to see green', () => w.latest()?.values.get('/x1/app/live') === 'green', 20_000);
    expect(w.changes()).toBe(1);
    expect([...w.latest()!.values.keys()]).toEqual(['/x1/app/live']);
  });

  it('a write of the same value wakes the query but does not notify', async () => {
    await server.kvPut('/x2/k', 'same');
    const w = await watch('/x2');
    await server.kvPut('/x2/k', 'same');
    await server.kvPut('/x2/k', 'same');
    await server.kvPut('/x2/sentinel', 'now');
    await waitFor('the watch to see the sentinel', () => w.latest()?.values.get('/x2/sentinel') === 'now', 20_000);
    expect(w.changes()).toBe(1);
  });

  it('names the keys whose bytes are not UTF-8, in a read and in the answer a watch keeps', async () => {
    await server.kvPut('/x4/bad', Buffer.from([0x61, 0xff, 0xfe, 0x62]));
    // U+FFFD written as such is valid UTF-8.
    await server.kvPut('/x4/replacement', Buffer.from('a\uFFFDb', 'utf8'));
    await server.kvPut('/x4/ok', 'plain');
    const read = await backend.getValues(['/x4']);
    expect(read.values.get('/x4/bad')).toBe('a\uFFFD\uFFFDb');
    expect(read.values.get('/x4/replacement')).toBe('a\uFFFDb');
    expect(read.values.get('/x4/ok')).toBe('plain');
    expect(read.invalidUtf8).toEqual(['/x4/bad']);
    expect((await backend.getValues(['/x4/ok'])).invalidUtf8).toBeUndefined();

    const w = await watch('/x4');
    // The same text, now from bytes that are not UTF-8: a change, and named.
    await server.kvPut('/x4/replacement', Buffer.from([0x61, 0xff, 0x62]));
    await waitFor('the watch to see the bad bytes', () => (w.latest()?.invalidUtf8 ?? []).includes('/x4/replacement'), 20_000);
    expect(w.latest()?.values.get('/x4/replacement')).toBe('a\uFFFDb');
    expect(w.latest()?.invalidUtf8).toEqual(['/x4/bad', '/x4/replacement']);
    await server.kvPut('/x4/bad', 'fixed');
    await waitFor('the watch to see the fixed value', () => w.latest()?.values.get('/x4/bad') === 'fixed', 20_000);
    expect(w.latest()?.invalidUtf8).toEqual(['/x4/replacement']);
    expect(w.errors()).toEqual([]);
  });

  it('after an agent restart it resets its index, notices the lost data, and sees new writes', async () => {
    // Raise the index well above what the restarted agent will start from.
    for (let i = 0; i < 20; i += 1) await server.kvPut('/x3/k', `v${i}`);
    const w = await watch('/x3');
    const before = (await backend.getValues(['/x3'])).revision;
    // Down for a moment, as a real restart is; an agent back within the loop's
    // pause between queries is only noticed when the wait runs out.
    await server.restart({ downMs: 1_000 });
    // -dev keeps KV in memory: the key is gone, and that is a change.
    await waitFor('the watch to notice the empty store', () => w.changes() >= 1 && w.latest()?.values.size === 0, 30_000);
    const after = (await backend.getValues(['/x3'])).revision;
    expect(Number(after ?? 0)).toBeLessThan(Number(before));
    await server.kvPut('/x3/k', 'after-restart');
    await waitFor('the watch to see the write after the restart', () => w.latest()?.values.get('/x3/k') === 'after-restart', 20_000);
  });
});
