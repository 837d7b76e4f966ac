// `fleet status`: every host's report against the store as it is now. A
// resource is behind when a key it reads changed after the revision of its
// last round; a host is current when none of its resources is behind and
// each one's last round was ok.
import type { Backend, LeasedWrites } from '../backends/backend.js';
import { hostsPath, parseHostReport, resultText } from './report.js';

export interface ResourceStatus {
  name: string;
  revision: number | null;
  /** Revisions between the one applied and the newest change of the resource's keys. */
  behind: number;
  result: string;
  age_s: number;
}

export interface HostStatus {
  host: string;
  resources: ResourceStatus[];
}

export interface FleetStatus {
  hosts: HostStatus[];
}

export interface FleetStatusOptions {
  prefix: string;
  /** Only this resource (by name; `app` matches `app.toml` too). */
  resource?: string;
  now?: () => number;
  /** Reports that cannot be read, named with their key. */
  warn?: (line: string) => void;
}

const matches = (name: string, wanted: string | undefined): boolean =>
  wanted === undefined || name === wanted || name === `${wanted}.toml` || name.replace(/\.toml$/, '') === wanted;

export const readFleetStatus = async (backend: Backend & LeasedWrites, options: FleetStatusOptions): Promise<FleetStatus> => {
  const now = options.now ?? Date.now;
  const base = hostsPath(options.prefix);
  const snapshot = await backend.getValues([base]);
  const latest = new Map<string, Promise<string>>();
  const latestOf = (keys: string[]): Promise<string> => {
    const id = JSON.stringify(keys);
    let p = latest.get(id);
    if (!p) latest.set(id, (p = backend.latestRevision(keys)));
    return p;
  };
  const hosts: HostStatus[] = [];
  for (const [key, text] of snapshot.values) {
    const report = parseHostReport(text);
    if (typeof report === 'string') {
      options.warn?.(`${key}: ${report}`);
      continue;
    }
    const resources: ResourceStatus[] = [];
    for (const [name, r] of Object.entries(report.resources)) {
      if (!matches(name, options.resource)) continue;
      const applied = r.revision === null ? null : Number(r.revision);
      const newest = Number(await latestOf(r.keys));
      const behind = applied === null ? newest : Math.max(0, newest - applied);
      const age = (now() - Date.parse(r.time)) / 1000;
      resources.push({ name, revision: applied, behind, result: resultText(r), age_s: Math.max(0, Math.round(age * 10) / 10) });
    }
    hosts.push({ host: key.slice(base.length + 1), resources });
  }
  hosts.sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  return { hosts };
};

export const isCurrent = (host: HostStatus): boolean => host.resources.every((r) => r.behind === 0 && r.result === 'ok');

const table = (rows: string[][]): string => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
};

export const formatFleetStatus = (status: FleetStatus): string => {
  const rows = [['HOST', 'RESOURCE', 'REVISION', 'BEHIND', 'AGE', 'RESULT']];
  for (const h of status.hosts) {
    if (h.resources.length === 0) rows.push([h.host, '-', '-', '-', '-', 'no resources reported']);
    for (const r of h.resources) rows.push([h.host, r.name, String(r.revision ?? '-'), String(r.behind), `${r.age_s}s`, r.result]);
  }
  const current = status.hosts.filter(isCurrent).length;
  return `${table(rows)}${current}/${status.hosts.length} hosts current\n`;
};
