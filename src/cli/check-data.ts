// `switchyard check --data FILE`: every resource rendered from local data and
// its check_cmd run on the result, in a temporary file: dest is never touched.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { DEFAULT_POLICY, type ResourcePolicy } from '../config/resource.js';
import { loadConfiguration } from '../daemon/configuration.js';
import { messageOf } from '../errors.js';
import { silentLogger } from '../log.js';

export const checkWithData = async (
  confdir: string,
  prefix: string,
  data: string[],
  print: (line: string) => void,
  policy: ResourcePolicy = DEFAULT_POLICY,
): Promise<number> => {
  const { renderTemplate } = await import('../template/engine.js');
  const { readDocuments } = await import('../backends/local/documents.js');
  const { runCheckCommand } = await import('../resource/pipeline.js');
  const { resources, templates } = await loadConfiguration(confdir, prefix, policy);
  const values = await readDocuments(data);
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-check-'));
  let errors = 0;
  try {
    for (const resource of resources) {
      try {
        const template = templates.get(resource.name);
        if (!template) throw new Error(`${resource.name}: template not loaded`);
        const { text } = await renderTemplate(template, { values, prefix: resource.prefix, keys: resource.paths });
        if (!resource.checkCmd) {
          print(`ok    ${resource.name}: rendered ${text.length} bytes (no check_cmd)`);
          continue;
        }
        const staged = join(dir, basename(resource.dest));
        await writeFile(staged, text, { mode: 0o600 });
        await runCheckCommand(resource.checkCmd, { src: staged, dest: resource.dest }, 60_000, silentLogger);
        print(`ok    ${resource.name}: rendered and checked`);
      } catch (err) {
        errors += 1;
        print(`error ${resource.name}: ${messageOf(err)}`);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  print(errors ? `${errors} of ${resources.length} resources failed` : `${resources.length} resources rendered and checked`);
  return errors;
};
