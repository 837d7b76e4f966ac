// Doubles for the blue/green unit tests: an in-memory Backend, a host whose
// systemctl is a recording script, color servers whose health follows the
// fake unit state, and a "proxy" that serves whatever color is live.
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Backend } from '../../src/backends/backend.js';
import { filterUnder } from '../../src/backends/keys.js';
import { DEFAULT_TIMING, type BlueGreenContext } from '../../src/bluegreen/context.js';
import { appKeys } from '../../src/bluegreen/state.js';
import { createSystemctl } from '../../src/bluegreen/systemctl.js';
import type { Color } from '../../src/bluegreen/types.js';

export const FAKE_SYSTEMCTL = join(import.meta.dirname, '../fixtures/fake-systemctl');

export interface MemoryBackend extends Backend {
  values: Map<string, string>;
  /** Every put and delete, in order: "put /app/live green". */
  log: string[];
}

export const createMemoryBackend = (initial: Record<string, string> = {}): MemoryBackend => {
  const values = new Map(Object.entries(initial));
  const log: string[] = [];
  return {
    name: 'memory',
    endpoints: ['memory'],
    values,
    log,
    getValues: async (paths) => ({ values: filterUnder(values, paths) }),
    watch: async () => {
      throw new Error('the memory backend does not watch');
    },
    put: async (key, value) => {
      log.push(`put ${key} ${value}`);
      values.set(key, value);
    },
    delete: async (key) => {
      log.push(`delete ${key}`);
      values.delete(key);
    },
    close: async () => undefined,
  };
};

const listen = async (server: Server): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    });
  });

const close = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

export interface FakeHost {
  dir: string;
  /** systemctl calls so far: "start green@9002.service". */
  calls(): Promise<string[]>;
  setUnit(unit: string, state: string): Promise<void>;
  unitState(unit: string): string;
  failVerb(verb: string, message: string): Promise<void>;
  /** A server for a color; healthy while its unit is active and `sick` is false. */
  startColor(color: Color): Promise<{ port: number; addr: string; unit: string; sick: boolean }>;
  /** Answers X-Color with the live color, or with `stuckOn` when set (a proxy that does not follow). */
  startProxy(backend: MemoryBackend, liveKey: string): Promise<{ url: string; stuckOn?: Color }>;
  context(backend: Backend, overrides?: Partial<BlueGreenContext>): BlueGreenContext & { lines: string[]; slept: number[] };
  stop(): Promise<void>;
}

export const startFakeHost = async (): Promise<FakeHost> => {
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-bg-'));
  const servers: Server[] = [];
  const unitState = (unit: string): string => {
    try {
      return readFileSync(join(dir, unit), 'utf8').trim();
    } catch {
      return 'inactive';
    }
  };
  return {
    dir,
    calls: async () => (await readFile(join(dir, 'calls'), 'utf8').catch(() => '')).split('\n').filter(Boolean),
    setUnit: (unit, state) => writeFile(join(dir, unit), state + '\n'),
    unitState,
    failVerb: (verb, message) => writeFile(join(dir, `fail-${verb}`), message + '\n'),
    startColor: async (color) => {
      const handle = { port: 0, addr: '', unit: '', sick: false };
      const server = createServer((req, res) => {
        const ok = unitState(handle.unit) === 'active' && !handle.sick;
        res.setHeader('X-Color', color);
        res.writeHead(req.url === '/health' ? (ok ? 200 : 503) : 200);
        res.end(req.url === '/health' ? (ok ? 'ok' : 'sick') : `${color} 1\n`);
      });
      servers.push(server);
      handle.port = await listen(server);
      handle.addr = `127.0.0.1:${handle.port}`;
      handle.unit = `${color}@${handle.port}.service`;
      return handle;
    },
    startProxy: async (backend, liveKey) => {
      const handle: { url: string; stuckOn?: Color } = { url: '' };
      const server = createServer((_req, res) => {
        const color = handle.stuckOn ?? backend.values.get(liveKey) ?? 'none';
        res.setHeader('X-Color', color);
        res.end(`${color}\n`);
      });
      servers.push(server);
      handle.url = `http://127.0.0.1:${await listen(server)}/`;
      return handle;
    },
    context: (backend, overrides = {}) => {
      const lines: string[] = [];
      const slept: number[] = [];
      return {
        app: 'shop',
        backend,
        keys: appKeys('/apps', 'shop'),
        systemctl: createSystemctl({ env: { ...process.env, SWITCHYARD_SYSTEMCTL: FAKE_SYSTEMCTL, FAKE_SYSTEMCTL_DIR: dir } }),
        force: false,
        timing: { ...DEFAULT_TIMING, healthTimeoutMs: 3_000, verifyTimeoutMs: 3_000, intervalMs: 20, consecutive: 2 },
        progress: (line) => lines.push(line),
        sleep: async (ms) => void slept.push(ms),
        lines,
        slept,
        ...overrides,
      };
    },
    stop: async () => {
      await Promise.all(servers.map(close));
      await rm(dir, { recursive: true, force: true });
    },
  };
};

export type ColorServer = Awaited<ReturnType<FakeHost['startColor']>>;

export interface Shop {
  host: FakeHost;
  backend: MemoryBackend;
  blue: ColorServer;
  green: ColorServer;
}

/** App "shop" under /apps: blue live, both addresses set, the given units active. */
export const startShop = async (active: Color[]): Promise<Shop> => {
  const host = await startFakeHost();
  const blue = await host.startColor('blue');
  const green = await host.startColor('green');
  for (const c of active) await host.setUnit((c === 'blue' ? blue : green).unit, 'active');
  const backend = createMemoryBackend({ '/apps/shop/live': 'blue', '/apps/shop/blue/addr': blue.addr, '/apps/shop/green/addr': green.addr });
  return { host, backend, blue, green };
};
