// Loads every resource and compiles every template: the whole configuration
// a run works from. Any error here is a configuration error (exit 2).
import { DEFAULT_POLICY, type ResourcePolicy, type TemplateResource } from '../config/resource.js';
import { loadResources } from '../config/load-resources.js';
import { compileTemplateFile, strictnessError } from '../template/engine.js';
import type { CompiledTemplate } from '../template/types.js';
import { applyInferredKeys } from './inferred-keys.js';
import type { Logger } from '../log.js';
import { join } from 'node:path';

export interface Configuration {
  resources: TemplateResource[];
  /** Compiled template of each resource, by resource name. */
  templates: Map<string, CompiledTemplate>;
}

export const loadConfiguration = async (
  confdir: string,
  prefix: string,
  policy: ResourcePolicy = DEFAULT_POLICY,
): Promise<Configuration> => {
  const resources = await loadResources(confdir, prefix, policy);
  const templates = new Map<string, CompiledTemplate>();
  // A template shared by several resources is read once (the engine compiles each source once).
  const bySrc = new Map<string, CompiledTemplate>();
  for (const r of resources) {
    const compiled = bySrc.get(r.src) ?? (await compileTemplateFile(r.src));
    bySrc.set(r.src, compiled);
    applyInferredKeys(r, compiled);
    const strict = r.strict ? strictnessError(compiled) : undefined;
    if (strict) throw strict;
    templates.set(r.name, compiled);
  }
  return { resources, templates };
};

/** What loads but is probably a mistake: no resources at all, names that render as nothing. */
export const configurationWarnings = (config: Configuration, confdir: string): string[] => {
  const warnings: string[] = [];
  if (config.resources.length === 0) warnings.push(`${join(confdir, 'conf.d')}: no resources (*.toml); nothing will be rendered`);
  const seen = new Set<string>();
  for (const template of config.templates.values()) {
    if (seen.has(template.file)) continue;
    seen.add(template.file);
    for (const u of template.unknownNames) {
      warnings.push(`${template.file}:${u.line}:${u.column}: unknown name ${JSON.stringify(u.name)} always renders as nothing`);
    }
  }
  return warnings;
};

export const warnAboutConfiguration = (config: Configuration, confdir: string, logger: Logger): void => {
  for (const warning of configurationWarnings(config, confdir)) logger.warn(warning);
};
