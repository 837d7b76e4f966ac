// The example's resource (examples/blue-green/<proxy>/web.toml and its
// template) in a temporary confdir, adapted to a bench layout: dest is the
// layout's fragment, the checker's paths are the layout's files, and the
// reload_cmd is the one for a foreground master on this machine. Everything
// else (prefix, keys, mode, check-fragment itself) is the example's own.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'smol-toml';
import { exampleDir } from './paths.js';
import type { ProxyKind, ProxyLayout } from './proxies.js';
import { BIN } from './watcher.js';

// Installed paths in the example → where the layout has them (longest first).
const pathMap = (layout: ProxyLayout): Array<[string, string]> =>
  layout.kind === 'nginx'
    ? [['/etc/nginx/nginx.conf', layout.confPath]]
    : [['/etc/haproxy/haproxy.cfg', layout.confPath], ['/etc/haproxy/conf.d', layout.confDir ?? '']];

const adaptCheck = (check: string, layout: ProxyLayout): string => {
  let out = check.replace(/^switchyard /, `${BIN} `);
  for (const [from, to] of pathMap(layout)) {
    if (!out.includes(from)) throw new Error(`example check_cmd no longer mentions ${from}: ${check}`);
    out = out.replaceAll(from, to);
  }
  return out;
};

export interface ExampleTemplate {
  /** The file name in the example directory (the resource's src). */
  readonly name: string;
  readonly text: string;
}

const TEMPLATES = { nginx: 'web.conf.hbs', haproxy: 'web.cfg.hbs' } as const;

/** The example's fragment template; for nginx optionally with another client `keepalive_timeout` (e.g. "0", the mitigation). */
export const exampleTemplate = (kind: ProxyKind, nginxKeepaliveTimeout?: string): ExampleTemplate => {
  const name = TEMPLATES[kind];
  const text = readFileSync(join(exampleDir, kind, name), 'utf8');
  if (kind !== 'nginx' || nginxKeepaliveTimeout === undefined) return { name, text };
  const setting = /^(\s*keepalive_timeout )[^;]+;/m;
  if (!setting.test(text)) throw new Error(`${name} no longer sets keepalive_timeout`);
  return { name, text: text.replace(setting, `$1${nginxKeepaliveTimeout};`) };
};

/** Writes conf.d/web.toml and templates/ under `confdir`; returns the adapted [template] table. */
export const writeExampleResource = (layout: ProxyLayout, template: ExampleTemplate, confdir: string): Record<string, unknown> => {
  const source = join(exampleDir, layout.kind);
  const doc = parse(readFileSync(join(source, 'web.toml'), 'utf8'));
  const table = doc.template as Record<string, unknown> | undefined;
  if (!table || table.src !== template.name || typeof table.check_cmd !== 'string') {
    throw new Error(`${source}/web.toml: expected [template] with src = "${template.name}" and a check_cmd`);
  }
  const adapted = { ...table, dest: layout.fragmentPath, check_cmd: adaptCheck(table.check_cmd, layout), reload_cmd: layout.reloadCmd };
  mkdirSync(join(confdir, 'conf.d'), { recursive: true });
  mkdirSync(join(confdir, 'templates'), { recursive: true });
  writeFileSync(join(confdir, 'templates', template.name), template.text);
  writeFileSync(join(confdir, 'conf.d', 'web.toml'), stringify({ template: adapted }));
  return adapted;
};
