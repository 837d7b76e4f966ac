// A confdir at scale: N resources over P distinct key paths, sharing T
// templates, plus the keys they read (as a YAML document or etcd puts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeConfdir } from '../../test/harness/confdir.js';

export interface ScaleSpec {
  resources: number;
  /** Distinct watched key paths; resource i reads path i % paths. */
  paths: number;
  /** Distinct templates; resource i uses template i % templates. */
  templates: number;
  /** Where the rendered files go. */
  outDir: string;
  /** When set, each resource's reload_cmd appends a line to <countDir>/<resource>, counting renders. */
  countDir?: string;
  /** Put the render time into every file, so each render changes it (and runs reload_cmd). */
  stampRenders?: boolean;
}

export interface ScaleFixture {
  confdir: string;
  /** Key → value of every key the resources read. */
  keys: Map<string, string>;
  resourceName(i: number): string;
  destOf(i: number): string;
  /** The key path resource i watches, e.g. /bench/svc07/upstream. */
  pathOf(i: number): string;
}

export const BENCH_PREFIX = '/bench';
const pad = (n: number, width = 3): string => String(n).padStart(width, '0');
export const servicePrefix = (p: number): string => `${BENCH_PREFIX}/svc${pad(p)}`;
export const upstreamKey = (p: number, slot: number): string => `${servicePrefix(p)}/upstream/${slot}`;

const templateText = (t: number, stamp: boolean): string =>
  [
    `# template ${t}${stamp ? ' rendered {{datetime}}' : ''}`,
    `upstream pool_${t} {`,
    '{{#each (gets "/upstream/*")}}  server {{value}} max_fails=3;',
    '{{/each}}',
    '}',
    `server { listen 80; location / { proxy_pass http://pool_${t}; } }`,
    '',
  ].join('\n');

export const makeScaleFixture = (spec: ScaleSpec): ScaleFixture => {
  const dir = makeConfdir();
  mkdirSync(spec.outDir, { recursive: true });
  if (spec.countDir) mkdirSync(spec.countDir, { recursive: true });
  for (let t = 0; t < spec.templates; t++) dir.writeTemplate(`t${pad(t)}.hbs`, templateText(t, spec.stampRenders ?? false));

  const resourceName = (i: number): string => `res${pad(i)}`;
  const destOf = (i: number): string => join(spec.outDir, `${resourceName(i)}.conf`);
  for (let i = 0; i < spec.resources; i++) {
    const lines = [
      '[template]',
      `src = "t${pad(i % spec.templates)}.hbs"`,
      `dest = ${JSON.stringify(destOf(i))}`,
      `prefix = ${JSON.stringify(servicePrefix(i % spec.paths))}`,
      'keys = ["/upstream"]',
    ];
    if (spec.countDir) lines.push(`reload_cmd = ${JSON.stringify(`echo r >> ${join(spec.countDir, resourceName(i))}`)}`);
    writeFileSync(join(dir.dir, 'conf.d', `${resourceName(i)}.toml`), lines.join('\n') + '\n');
  }

  const keys = new Map<string, string>();
  for (let p = 0; p < spec.paths; p++) {
    for (let slot = 0; slot < 3; slot++) keys.set(upstreamKey(p, slot), `10.${p % 250}.${slot}.1:8080`);
  }
  return { confdir: dir.dir, keys, resourceName, destOf, pathOf: (i) => `${servicePrefix(i % spec.paths)}/upstream` };
};

/** The keys as a nested YAML-compatible JSON document for the file backend. */
export const writeKeysDocument = (keys: ReadonlyMap<string, string>, file: string): void => {
  const root: Record<string, unknown> = {};
  for (const [key, value] of keys) {
    const parts = key.split('/').filter((p) => p !== '');
    let node = root;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[parts.at(-1) ?? ''] = value;
  }
  writeFileSync(file, JSON.stringify(root, null, 1));
};
