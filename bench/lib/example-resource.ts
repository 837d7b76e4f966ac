// The example's resource (examples/blue-green/<proxy>/web.toml and its
// template) in a temporary confdir, adapted to a bench layout: dest is the
// layout's fragment, the checker's paths are the layout's files, and the
// reload_cmd is the one for a foreground master on this machine. Everything
// else (prefix, keys, mode, check-fragment itself) is the example's own.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'smol-toml';
import { exampleDir } from './paths.js';
import type { ProxyLayout } from './proxies.js';
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

/** Writes conf.d/web.toml and templates/ under `confdir`; returns the adapted [template] table. */
export const writeExampleResource = (layout: ProxyLayout, confdir: string): Record<string, unknown> => {
  const source = join(exampleDir, layout.kind);
  const doc = parse(readFileSync(join(source, 'web.toml'), 'utf8'));
  const template = doc.template as Record<string, unknown> | undefined;
  if (!template || typeof template.src !== 'string' || typeof template.check_cmd !== 'string') {
    throw new Error(`${source}/web.toml: expected [template] with src and check_cmd`);
  }
  const adapted = { ...template, dest: layout.fragmentPath, check_cmd: adaptCheck(template.check_cmd, layout), reload_cmd: layout.reloadCmd };
  mkdirSync(join(confdir, 'conf.d'), { recursive: true });
  mkdirSync(join(confdir, 'templates'), { recursive: true });
  copyFileSync(join(source, template.src), join(confdir, 'templates', template.src));
  writeFileSync(join(confdir, 'conf.d', 'web.toml'), stringify({ template: adapted }));
  return adapted;
};
