// What the canary tests share: two color apps, a real etcd holding live and
// both addrs, and nginx logging the JSON lines the nginx-log source reads,
// with its upstream rendered from the bluegreen helper by switchyard.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NGINX_JSON_LOG_FORMAT } from '../../src/canary/metrics/nginx-log-format.js';
import { startEtcd, type EtcdServer } from './etcd.js';
import { startHttpApp, type HttpApp } from './http-app.js';
import { startNginx, upstreamFragment, type NginxServer } from './nginx.js';

/** The upstream of app web: a server line per color, weight 0 taken out. */
export const CANARY_UPSTREAM = `upstream app {
{{#with (bluegreen "/")}}{{#each servers}}
    server {{addr}}{{#if weight}} weight={{weight}}{{else}} down{{/if}};
{{/each}}{{/with}}
}
`;

export interface CanaryRig {
  dir: string;
  etcd: EtcdServer;
  nginx: NginxServer;
  blue: HttpApp;
  green: HttpApp;
  /** nginx's JSON access log. */
  log: string;
  /** The file nginx includes: a switchyard resource renders CANARY_UPSTREAM into it. */
  fragmentPath: string;
  /** A key's value, undefined when unset. */
  get(key: string): Promise<string | undefined>;
  /** "blue/green" weights of app web ("undefined/undefined" when cleared). */
  weights(): Promise<string>;
  stop(): Promise<void>;
}

/** App web under /web with blue live; nginx serves blue until a resource renders the upstream. */
export const startCanaryRig = async (name: string): Promise<CanaryRig> => {
  const dir = mkdtempSync(join(tmpdir(), `switchyard-${name}-`));
  const log = join(dir, 'access.json.log');
  const fragmentPath = join(dir, 'upstream.conf');
  const [blue, green] = await Promise.all([startHttpApp('blue'), startHttpApp('green')]);
  const etcd = await startEtcd();
  for (const [k, v] of [['/web/live', 'blue'], ['/web/blue/addr', blue.addr], ['/web/green/addr', green.addr]] as const) await etcd.etcdctl('put', k, v);
  const nginx = await startNginx({
    fragmentPath,
    fragment: upstreamFragment(blue.addr),
    readyBody: 'blue',
    accessLog: `${NGINX_JSON_LOG_FORMAT}\n    access_log ${log} switchyard_json;`,
  });
  const get = async (key: string): Promise<string | undefined> => {
    const out = await etcd.etcdctl('get', key, '--print-value-only');
    return out === '' ? undefined : out.replace(/\n$/, '');
  };
  return {
    dir, etcd, nginx, blue, green, log, fragmentPath, get,
    weights: async () => `${await get('/web/weight/blue')}/${await get('/web/weight/green')}`,
    stop: async () => {
      await nginx.stop();
      await etcd.stop();
      await Promise.all([blue.stop(), green.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
