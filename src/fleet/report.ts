// What one host publishes under <report-prefix>/hosts/<host-id>: per
// resource the revision of its last round, the dest's sha256, the result and
// the time. One JSON value per host, written by the reporter, read by
// `fleet status` and by convergence-gated switches.
import { normalizeKey } from '../backends/keys.js';

export interface ResourceReport {
  /** Store revision (etcd) or index (Consul) of the snapshot the last round rendered from. */
  revision: string | null;
  /** sha256 of the dest file after the round (hex), null when there is none. */
  sha256: string | null;
  result: 'ok' | 'failed';
  /** With `failed`: the pipeline stage and the message. */
  stage?: string;
  message?: string;
  /** When the round ended (ISO 8601). */
  time: string;
  /** The key paths the resource reads, so that readers can tell how far behind it is. */
  keys: string[];
}

export interface HostReport {
  host: string;
  time: string;
  resources: Record<string, ResourceReport>;
}

/** Where the hosts' reports live: "/switchyard" → "/switchyard/hosts". */
export const hostsPath = (prefix: string): string => normalizeKey(`${prefix}/hosts`);

export const hostKey = (prefix: string, hostId: string): string => `${hostsPath(prefix)}/${hostId}`;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses one stored report; a message naming what is wrong otherwise. */
export const parseHostReport = (text: string): HostReport | string => {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return `not JSON (${(err as Error).message})`;
  }
  if (!isObject(doc) || typeof doc['host'] !== 'string' || !isObject(doc['resources'])) return 'not a host report (host, resources)';
  return doc as unknown as HostReport;
};

/** "ok", or "check failed: <message>". */
export const resultText = (r: Pick<ResourceReport, 'result' | 'stage' | 'message'>): string =>
  r.result === 'ok' ? 'ok' : `${r.stage ?? 'round'} failed${r.message ? `: ${r.message}` : ''}`;
