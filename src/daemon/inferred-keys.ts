// A resource without `keys` reads what its template names literally; a key
// helper with a computed argument makes that impossible, and is a
// configuration error naming the template's line.
import { joinKey } from '../backends/keys.js';
import type { TemplateResource } from '../config/resource.js';
import { ConfigError } from '../errors.js';
import type { CompiledTemplate } from '../template/types.js';

/** Sets keys and paths of a resource that has none from its template; returns them. */
export const applyInferredKeys = (resource: TemplateResource, template: CompiledTemplate): string[] => {
  if (!resource.keysInferred) return resource.keys;
  const { dynamic, keys } = template.inferred;
  if (dynamic) {
    const at = dynamic.position ? `:${dynamic.position.line}:${dynamic.position.column}` : '';
    throw new ConfigError(
      resource.file,
      `keys cannot be inferred: ${template.file}${at}: ${dynamic.helper} is called with a computed argument; list the keys it reads in \`keys\``,
      { key: 'keys' },
    );
  }
  resource.keys = keys;
  resource.paths = keys.map((k) => joinKey(resource.prefix, k));
  return keys;
};
