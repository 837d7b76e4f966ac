// `switchyard render TEMPLATE --data FILE [--out FILE]`: preview a template
// with local data, no backend.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { joinKey } from '../backends/keys.js';
import { ConfigError, messageOf } from '../errors.js';
import { createLogger } from '../log.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, exitWith, reportError } from './exit.js';

interface RenderArgs {
  template: string;
  data: string[];
  out?: string;
  prefix?: string;
}

export const renderCommand = {
  command: 'render <template>',
  describe: 'render one template from local YAML/JSON data, no backend',
  builder: (y: Argv) =>
    y
      .positional('template', { type: 'string', demandOption: true, describe: 'the Handlebars template file' })
      .option('data', { type: 'string', array: true, demandOption: true, describe: 'YAML/JSON file(s) with the keys' })
      .option('out', { type: 'string', describe: 'write here instead of stdout' })
      .option('prefix', { type: 'string', describe: 'key prefix the template is relative to', default: '' }),
  handler: async (argv: RenderArgs): Promise<void> => {
    const logger = createLogger();
    // Imported here so that other commands do not load Handlebars and YAML.
    const { compileTemplateFile, renderTemplate } = await import('../template/engine.js');
    const { DocumentError, readDocuments } = await import('../backends/local/documents.js');
    try {
      const template = await compileTemplateFile(resolve(argv.template));
      let values: Map<string, string>;
      try {
        values = await readDocuments(argv.data.map((d) => resolve(d)));
      } catch (err) {
        if (err instanceof DocumentError) throw new ConfigError(err.file, err.message.replace(`${err.file}: `, ''));
        throw err;
      }
      let text: string;
      try {
        text = (await renderTemplate(template, { values, prefix: joinKey(argv.prefix ?? '') })).text;
      } catch (err) {
        logger.error(`render failed: ${messageOf(err)}`, { template: template.file });
        return exitWith(EXIT_FAILED);
      }
      if (argv.out) await writeFile(argv.out, text);
      else process.stdout.write(text);
      exitWith(EXIT_OK);
    } catch (err) {
      exitWith(err instanceof ConfigError ? (reportError(err, logger), EXIT_USAGE) : reportError(err, logger));
    }
  },
};
