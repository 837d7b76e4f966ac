// Builds a throw-away confdir (conf.d/*.toml + templates/) for CLI tests.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ResourceSpec {
  /** conf.d/<name>.toml */
  name: string;
  template: string;
  /** TOML keys of [template] besides src; strings are quoted, arrays JSON-encoded. */
  fields: Record<string, string | string[]>;
}

export interface Confdir {
  readonly dir: string;
  addResource(spec: ResourceSpec): void;
  writeTemplate(name: string, text: string): void;
}

const tomlValue = (v: string | string[]): string => JSON.stringify(v);

export const makeConfdir = (resources: ResourceSpec[] = []): Confdir => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-confdir-'));
  mkdirSync(join(dir, 'conf.d'));
  mkdirSync(join(dir, 'templates'));
  const api: Confdir = {
    dir,
    writeTemplate: (name, text) => writeFileSync(join(dir, 'templates', name), text),
    addResource: (spec) => {
      api.writeTemplate(`${spec.name}.hbs`, spec.template);
      const lines = [`[template]`, `src = "${spec.name}.hbs"`, ...Object.entries(spec.fields).map(([k, v]) => `${k} = ${tomlValue(v)}`)];
      writeFileSync(join(dir, 'conf.d', `${spec.name}.toml`), lines.join('\n') + '\n');
    },
  };
  for (const r of resources) api.addResource(r);
  return api;
};
