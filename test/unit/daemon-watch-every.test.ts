// watchEvery: the first round waits for the watches, but not for ever; a
// watch that comes up after the snapshot it guards asks for one more read.
import { describe, expect, it } from 'vitest';
import { createWatchRegistry, watchEvery, type WatchRegistry } from '../../src/daemon/watch-registry.js';
import { silentLogger } from '../../src/log.js';

const registryTakingMs = (ms: number): WatchRegistry =>
  ({
    setPaths: () => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  }) as unknown as WatchRegistry;

const resources = [{ name: 'a', paths: ['/a'] }];

describe('watchEvery', () => {
  it('waits for watches that come up in time, and asks for nothing more', async () => {
    let late = 0;
    const started = Date.now();
    await watchEvery(registryTakingMs(20), resources, 1_000, () => (late += 1));
    expect(Date.now() - started).toBeLessThan(1_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(late).toBe(0);
  });

  it('stops waiting at the limit, and asks for a read once the watches are up', async () => {
    let late = 0;
    await watchEvery(registryTakingMs(200), resources, 20, () => (late += 1));
    expect(late).toBe(0);
    await new Promise((r) => setTimeout(r, 400));
    expect(late).toBe(1);
  });
});

describe('the watch registry', () => {
  const catalogBackend = () => {
    const watched: string[] = [];
    const backend = {
      name: 'memory',
      endpoints: ['memory'],
      getValues: async () => ({ values: new Map<string, string>() }),
      watch: async (path: string) => {
        watched.push(path);
        return { close: async () => undefined };
      },
      services: async () => [],
      watchService: async (name: string) => {
        watched.push(`service:${name}`);
        return { close: async () => undefined };
      },
      serviceList: async () => [],
      watchServiceList: async () => ({ close: async () => undefined }),
      close: async () => undefined,
    };
    return { backend, watched };
  };

  it('asks the users of a service watch to read again once it is up, and not for path watches', async () => {
    const { backend, watched } = catalogBackend();
    const changes: string[] = [];
    const registry = createWatchRegistry(backend, silentLogger, (users, what) => changes.push(`${what}:${[...users].join(',')}`));
    await registry.setPaths('a', ['/a']);
    expect(changes).toEqual([]);
    await registry.setServices('a', ['web']);
    await registry.setServices('b', ['web']);
    expect(watched).toEqual(['/a', 'service:web']);
    // One read for the new watch; the second user joins a watch that is already up.
    expect(changes).toEqual(['service:web:a']);
    await registry.closeAll();
  });
});
