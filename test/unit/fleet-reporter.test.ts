// The reporter with an in-memory leased store: writes never overlap, the
// newest state wins, a refusing store is warned about once.
import { describe, expect, it } from 'vitest';
import type { LeasedKey, LeasedWrites } from '../../src/backends/backend.js';
import type { TemplateResource } from '../../src/config/resource.js';
import type { ResourceOutcome } from '../../src/daemon/process-resources.js';
import { ResourceError } from '../../src/errors.js';
import { createReporter } from '../../src/fleet/reporter.js';
import { createLogger } from '../../src/log.js';

const resource = { name: 'app.toml', dest: '/nonexistent/app.conf', paths: ['/app/live'] } as unknown as TemplateResource;
const ok = (revision: string): ResourceOutcome =>
  ({ resource, ok: true, result: { outcome: 'updated' }, services: [], revision }) as unknown as ResourceOutcome;
const failed = (revision: string): ResourceOutcome => ({ resource, ok: false, error: new ResourceError('app.toml', 'reload', 'exit 1'), services: [], revision });

/** A store whose writes finish when the test says so. */
const controlledStore = () => {
  const written: string[] = [];
  const waiting: { resolve: () => void; reject: (e: Error) => void }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const key: LeasedKey = {
    set: (value) =>
      new Promise<void>((resolve, reject) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const done = (): void => void (inFlight -= 1);
        waiting.push({ resolve: () => (done(), written.push(value), resolve()), reject: (e) => (done(), reject(e)) });
      }),
    close: async () => undefined,
  };
  const store: LeasedWrites = { leasedKey: () => key, latestRevision: async () => '0' };
  const settle = async (how: 'resolve' | 'reject'): Promise<void> => {
    for (let i = 0; i < 200 && waiting.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    const next = waiting.shift();
    if (!next) throw new Error('no write in flight');
    if (how === 'resolve') next.resolve();
    else next.reject(new Error('permission denied'));
    await new Promise((r) => setTimeout(r, 20));
  };
  return { store, written, settle, pending: () => waiting.length, maxInFlight: () => maxInFlight };
};

describe('fleet reporter', () => {
  it('keeps one write in flight and writes the newest state next', async () => {
    const s = controlledStore();
    const reporter = createReporter({ store: s.store, prefix: '/sw', hostId: 'h', ttlMs: 2000, logger: createLogger({ write: () => undefined }) });
    for (let rev = 1; rev <= 5; rev++) reporter.record([ok(String(rev))]);
    await s.settle('resolve');
    await s.settle('resolve');
    expect(s.pending()).toBe(0);
    expect(s.maxInFlight()).toBe(1);
    expect(s.written.map((w) => (JSON.parse(w) as { resources: Record<string, { revision: string }> }).resources['app.toml']!.revision)).toEqual(['1', '5']);
    reporter.record([failed('6')]);
    await s.settle('resolve');
    expect(JSON.parse(s.written[2]!)).toMatchObject({ host: 'h', resources: { 'app.toml': { revision: '6', result: 'failed', stage: 'reload', message: 'exit 1', sha256: null, keys: ['/app/live'] } } });
    await reporter.close();
  });

  it('warns once while the store refuses, and again only after a write went through', async () => {
    const s = controlledStore();
    const lines: string[] = [];
    const reporter = createReporter({ store: s.store, prefix: '/sw', hostId: 'h', ttlMs: 2000, logger: createLogger({ write: (l) => lines.push(l) }) });
    for (let rev = 1; rev <= 3; rev++) {
      reporter.record([ok(String(rev))]);
      await s.settle('reject');
    }
    expect(lines.filter((l) => l.includes("cannot write this host's report"))).toHaveLength(1);
    reporter.record([ok('4')]);
    await s.settle('resolve');
    expect(lines.filter((l) => l.includes('reporting works again'))).toHaveLength(1);
    reporter.record([ok('5')]);
    await s.settle('reject');
    expect(lines.filter((l) => l.includes("cannot write this host's report"))).toHaveLength(2);
    await reporter.close();
  });
});
