// Writes the switchyard confdir a plan describes: conf.d/NAME.toml,
// templates/NAME.hbs and switchyard.toml (0600 when it holds a secret).
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { stringify } from 'smol-toml';
import type { Plan, PlannedResource } from './plan.js';

// A new file with its mode from the start, renamed into place: a secret is never
// readable by others, not even for a moment over an existing file.
const writeText = async (file: string, text: string, mode = 0o644): Promise<void> => {
  await mkdir(dirname(file), { recursive: true });
  const temp = join(dirname(file), `.${basename(file)}.switchyard-migrate-${process.pid}`);
  await writeFile(temp, text, { mode, flag: 'wx' });
  await chmod(temp, mode);
  await rename(temp, file);
};

export const writeResource = async (destDir: string, resource: PlannedResource, template: string): Promise<void> => {
  await writeText(join(destDir, 'templates', resource.templateName), template);
  const table = { src: resource.templateName, ...resource.table };
  await writeText(join(destDir, 'conf.d', `${resource.name}.toml`), stringify({ template: table }));
};

/** Writes switchyard.toml when the plan has global settings; returns its mode, or undefined. */
export const writeGlobals = async (destDir: string, plan: Plan): Promise<number | undefined> => {
  if (Object.keys(plan.globals).length === 0) return undefined;
  const mode = plan.secrets.length > 0 ? 0o600 : 0o644;
  await writeText(join(destDir, 'switchyard.toml'), stringify(plan.globals), mode);
  return mode;
};
