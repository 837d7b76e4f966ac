// Loads every resource and compiles every template: the whole configuration
// a run works from. Any error here is a configuration error (exit 2).
import type { TemplateResource } from '../config/resource.js';
import { loadResources } from '../config/load-resources.js';
import { compileTemplateFile } from '../template/engine.js';
import type { CompiledTemplate } from '../template/types.js';
import { applyInferredKeys } from '../daemon/inferred-keys.js';

export interface Configuration {
  resources: TemplateResource[];
  /** Compiled template of each resource, by resource name. */
  templates: Map<string, CompiledTemplate>;
}

export const loadConfiguration = async (confdir: string, prefix: string): Promise<Configuration> => {
  const resources = await loadResources(confdir, prefix);
  const templates = new Map<string, CompiledTemplate>();
  // A template shared by several resources is read once (the engine compiles each source once).
  const bySrc = new Map<string, CompiledTemplate>();
  for (const r of resources) {
    const compiled = bySrc.get(r.src) ?? (await compileTemplateFile(r.src));
    bySrc.set(r.src, compiled);
    applyInferredKeys(r, compiled);
    templates.set(r.name, compiled);
  }
  return { resources, templates };
};
