// What the status page shows, kept up to date from each round's outcomes, the
// backend's counters, the blue/green apps and, with --report, the fleet;
// /status.json is this, as is.
import type { Backend } from '../backends/backend.js';
import type { EndpointReport } from '../backends/endpoint-health/health.js';
import type { TemplateResource } from '../config/resource.js';
import type { FleetStatus } from '../fleet/status.js';
import type { AppStatus } from './apps.js';

export interface ResourceStatus {
  name: string;
  dest: string;
  /** updated, unchanged, would-update, failed; "pending" before the first round. */
  result: string;
  ok: boolean;
  lastRender?: string;
  lastSuccess?: string;
  revision?: string;
  lastError?: { stage: string; message: string; at: string };
  history: string;
}

export interface StatusDocument {
  version: string;
  startedAt: string;
  uptimeSeconds: number;
  backend: {
    name: string;
    endpoints: readonly string[];
    connected?: boolean;
    watching?: number;
    reconnects?: number;
    lastError?: string;
    /** Each member of a clustered store. */
    endpointHealth?: EndpointReport[];
  };
  resources: ResourceStatus[];
  apps: AppStatus[];
  /** Every reporting host (with --report): what `fleet status` prints. */
  fleet?: FleetStatus & { current: number };
}

/** The part of a round's outcome the page shows (the daemon's ResourceOutcome fits). */
export type RoundOutcome = { resource: { name: string; dest: string; paths?: readonly string[] }; revision?: string } & (
  | { ok: true; result: { outcome: string } }
  | { ok: false; error: { stage: string; detail: string } }
);

export interface StatusModel {
  /** Resources known before any round (the configuration). */
  setResources(resources: readonly TemplateResource[]): void;
  record(outcomes: readonly RoundOutcome[]): void;
  setApps(apps: AppStatus[]): void;
  setFleet(fleet: StatusDocument['fleet']): void;
  document(): StatusDocument;
}

export const historyLink = (name: string): string => `/history/${encodeURIComponent(name)}`;

export const createStatusModel = (backend: Backend | undefined, version: string, now: () => number = Date.now): StatusModel => {
  const started = now();
  const resources = new Map<string, ResourceStatus>();
  let apps: AppStatus[] = [];
  let fleet: StatusDocument['fleet'];
  const pending = (r: { name: string; dest: string }): ResourceStatus => ({ name: r.name, dest: r.dest, result: 'pending', ok: true, history: historyLink(r.name) });

  return {
    setResources: (list) => {
      for (const r of list) if (!resources.has(r.name)) resources.set(r.name, pending(r));
    },
    record: (outcomes) => {
      const at = new Date(now()).toISOString();
      for (const o of outcomes) {
        const prev = resources.get(o.resource.name) ?? pending(o.resource);
        const next: ResourceStatus = { ...prev, dest: o.resource.dest, lastRender: at, ...(o.revision ? { revision: o.revision } : {}) };
        if (o.ok) {
          next.ok = true;
          next.result = o.result.outcome;
          next.lastSuccess = at;
        } else {
          next.ok = false;
          next.result = 'failed';
          next.lastError = { stage: o.error.stage, message: o.error.detail, at };
        }
        resources.set(o.resource.name, next);
      }
    },
    setApps: (next) => {
      apps = next;
    },
    setFleet: (next) => {
      fleet = next;
    },
    document: () => {
      const stats = backend?.stats?.();
      return {
        version,
        startedAt: new Date(started).toISOString(),
        uptimeSeconds: Math.round((now() - started) / 1000),
        backend: { name: backend?.name ?? 'none', endpoints: backend?.endpoints ?? [], ...stats, endpointHealth: backend?.endpointHealth?.() },
        resources: [...resources.values()].sort((a, b) => a.name.localeCompare(b.name)),
        apps,
        ...(fleet ? { fleet } : {}),
      };
    },
  };
};
