// The change loop with an in-memory store: one snapshot per change, shared by
// every resource that reads the changed path; other resources stay put.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TemplateResource } from '../../src/config/resource.js';
import { silentLogger } from '../../src/log.js';
import { compileTemplateSource } from '../../src/template/engine.js';
import { createChangeLoop, type ChangeLoop } from '../../src/daemon/change-loop.js';
import { createMemoryStore } from './memory-store.js';

const dir = mkdtempSync(join(tmpdir(), 'switchyard-loop-'));
const resourceOn = (name: string, path: string): TemplateResource => ({
  name,
  file: `${name}.toml`,
  src: `${name}.hbs`,
  dest: join(dir, name),
  prefix: path,
  keys: ['/'],
  paths: [path],
});
const read = (r: TemplateResource): string => readFileSync(r.dest, 'utf8');

let loop: ChangeLoop | undefined;
afterEach(async () => {
  await loop?.stop();
});

describe('change loop', () => {
  it('renders every resource of one change from one snapshot, and only those', async () => {
    const store = createMemoryStore();
    store.put('/shared/v', '0');
    store.put('/other/v', '0');
    const shared = ['a', 'b', 'c', 'd'].map((n) => resourceOn(`shared-${n}`, '/shared'));
    const other = resourceOn('other', '/other');
    const template = compileTemplateSource('v={{getv "/v"}}\n', 't.hbs');
    const resources = [...shared, other];
    loop = createChangeLoop({
      backend: store.backend,
      logger: silentLogger,
      pipeline: { noop: false, syncOnly: false, keepStageFile: false, commandTimeoutMs: 5_000 },
    });
    await loop.start({ resources, templates: new Map(resources.map((r) => [r.name, template])) });
    expect(store.watched()).toEqual(['/other', '/shared']);
    const afterStart = store.reads();
    expect(afterStart).toBe(1);

    store.put('/shared/v', '1');
    await new Promise((r) => setImmediate(r));
    await loop.idle();
    expect(store.reads() - afterStart).toBe(1);
    for (const r of shared) expect(read(r)).toBe('v=1\n');
    expect(read(other)).toBe('v=0\n');
  });
  it('lets a round start only once the disk work of the round before the last has settled', async () => {
    const store = createMemoryStore();
    store.put('/slow/v', '0');
    const r = resourceOn('slow', '/slow');
    let blocking = false;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const recorded: string[] = [];
    loop = createChangeLoop({
      backend: store.backend,
      logger: silentLogger,
      pipeline: {
        noop: false,
        syncOnly: false,
        keepStageFile: false,
        commandTimeoutMs: 5_000,
        // A history entry that waits on a slow disk once the loop runs.
        history: {
          record: async (entry) => {
            if (blocking) await gate;
            recorded.push(entry.content ?? '');
          },
        },
      },
    });
    await loop.start({ resources: [r], templates: new Map([[r.name, compileTemplateSource('v={{getv "/v"}}\n', 't.hbs')]]) });
    await loop.idle(); // the first round's entry is written
    blocking = true;
    const until = async (content: string): Promise<void> => {
      for (let i = 0; i < 500 && (!existsSync(r.dest) || read(r) !== content); i++) await new Promise((x) => setTimeout(x, 10));
      expect(read(r)).toBe(content);
    };
    store.put('/slow/v', '1');
    await until('v=1\n'); // its history entry is held
    store.put('/slow/v', '2');
    await until('v=2\n'); // one round ahead of the held entry
    store.put('/slow/v', '3');
    // Two rounds ahead: waits for the held entry.
    for (let i = 0; i < 20; i++) await new Promise((x) => setTimeout(x, 10));
    expect(read(r)).toBe('v=2\n');
    release();
    await until('v=3\n');
    await loop.idle();
    expect(recorded).toEqual(['v=0\n', 'v=1\n', 'v=2\n', 'v=3\n']);
  });
});
