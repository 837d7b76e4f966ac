// Serves the status page: / (HTML), /status.json, /events (server-sent
// events: the fresh <main> after every round and every app refresh) and
// /history/RESOURCE. Blue/green apps and the fleet are read on their own timer, one read
// at a time, so a slow store or a hanging health check never holds up a round.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Backend } from '../backends/backend.js';
import type { TemplateResource } from '../config/resource.js';
import { messageOf } from '../errors.js';
import { redact, type Logger } from '../log.js';
import { VERSION } from '../version.js';
import { listEntries } from '../history/store.js';
import { hasLeases } from '../backends/backend.js';
import { isCurrent, readFleetStatus } from '../fleet/status.js';
import { readApps, type AppStatus } from './apps.js';
import { createStatusModel, type RoundOutcome } from './model.js';
import { renderHistoryPage, renderMain, renderPage } from './page.js';

export interface StatusContext {
  backend?: Backend;
  resources?: readonly TemplateResource[];
  /** Where the history links read from. */
  historyDir?: string;
  /** How often blue/green apps (and the fleet) are re-read and health-checked (ms). */
  appRefreshMs?: number;
  /** With --report: where the hosts report (--report-prefix); the page shows the fleet. */
  fleetPrefix?: string;
}

export interface StatusPage {
  handles(path: string): boolean;
  serve(path: string, req: IncomingMessage, res: ServerResponse): void;
  record(outcomes: readonly RoundOutcome[]): void;
  /** The blue/green apps as last read (for /metrics). */
  apps(): AppStatus[];
  close(): void;
}

const PROBE_TIMEOUT_MS = 1_500;

export const startStatusPage = (context: StatusContext, logger: Logger): StatusPage => {
  const model = createStatusModel(context.backend, VERSION);
  model.setResources(context.resources ?? []);
  const clients = new Set<ServerResponse>();
  let closed = false;

  // One SSE message: the fresh <main>, one data: line per line of it.
  const frame = (): string =>
    redact(renderMain(model.document()))
      .split('\n')
      .map((line) => `data: ${line}\n`)
      .join('') + '\n';
  const broadcast = (): void => {
    if (clients.size === 0) return;
    const text = frame();
    for (const res of clients) res.write(text);
  };

  // The watched paths: where apps are looked for.
  let paths = [...new Set((context.resources ?? []).flatMap((r) => r.paths))];
  let refreshing = false;
  let again = false;
  const refreshApps = async (): Promise<void> => {
    if (!context.backend || closed) return;
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = true;
    try {
      model.setApps(await readApps(context.backend, paths, PROBE_TIMEOUT_MS));
    } catch (err) {
      logger.debug('status page: cannot read blue/green apps', { err: messageOf(err) });
    }
    try {
      if (context.fleetPrefix !== undefined && hasLeases(context.backend)) {
        const fleet = await readFleetStatus(context.backend, { prefix: context.fleetPrefix });
        model.setFleet({ ...fleet, current: fleet.hosts.filter(isCurrent).length });
      }
    } catch (err) {
      logger.debug('status page: cannot read the fleet', { err: messageOf(err) });
    } finally {
      refreshing = false;
    }
    broadcast();
    if (again) {
      again = false;
      void refreshApps();
    }
  };
  const timer = setInterval(() => void refreshApps(), context.appRefreshMs ?? 3_000);
  timer.unref();
  void refreshApps();

  const send = (res: ServerResponse, type: string, body: string, status = 200): void => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(redact(body));
  };

  const serveHistory = async (name: string, res: ServerResponse): Promise<void> => {
    if (!context.historyDir || !/^[\w.@-]+$/.test(name)) return send(res, 'text/plain', 'no such resource\n', 404);
    const entries = await listEntries(context.historyDir, name);
    send(res, 'text/html; charset=utf-8', renderHistoryPage(name, entries));
  };

  return {
    handles: (path) => path === '/' || path === '/status.json' || path === '/events' || path.startsWith('/history/'),
    serve: (path, req, res) => {
      if (path === '/') return send(res, 'text/html; charset=utf-8', renderPage(model.document()));
      if (path === '/status.json') return send(res, 'application/json', JSON.stringify(model.document(), null, 2) + '\n');
      if (path === '/events') {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        res.write(`retry: 1000\n\n${frame()}`);
        clients.add(res);
        req.on('close', () => clients.delete(res));
        return;
      }
      const name = decodeURIComponent(path.slice('/history/'.length));
      serveHistory(name, res).catch((err: unknown) => send(res, 'text/plain', `cannot read history: ${messageOf(err)}\n`, 500));
    },
    record: (outcomes) => {
      model.record(outcomes);
      const seen = new Set(paths);
      for (const o of outcomes) for (const p of o.resource.paths ?? []) seen.add(p);
      paths = [...seen];
      broadcast();
      // A round often follows a switch of a live color: look again now, not in a few seconds.
      void refreshApps();
    },
    apps: () => model.document().apps,
    close: () => {
      closed = true;
      clearInterval(timer);
      for (const res of clients) res.end();
      clients.clear();
    },
  };
};
