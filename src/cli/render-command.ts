// `switchyard render TEMPLATE --data FILE [--out FILE]`: preview a template
// with local data, no backend; --watch renders again on every change of the
// template or the data. With --at-revision R: every resource of the
// confdir as rendered from the store at revision R (etcd).
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { joinKey } from '../backends/keys.js';
import { ConfigError, messageOf } from '../errors.js';
import { createLogger } from '../log.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, exitWith, reportError } from './exit.js';
import { envNameOf, RENDER_LIMIT_OPTIONS, RUN_OPTIONS } from '../config/option-table.js';
import { addTableOptions, givenFlags } from './options.js';

interface RenderArgs {
  template?: string;
  data?: string[];
  out?: string;
  prefix?: string;
}

export const renderCommand = {
  command: 'render [template]',
  describe: 'render one template from local YAML/JSON data, no backend; or the confdir at a past etcd revision',
  builder: (y: Argv) =>
    addTableOptions(
      addTableOptions(y, RUN_OPTIONS.filter((s) => !RENDER_LIMIT_OPTIONS.includes(s)), 'Run options:'),
      RENDER_LIMIT_OPTIONS,
      `Render limits (as in the run; also ${RENDER_LIMIT_OPTIONS.map(envNameOf).join(', ')}):`,
    )
      .positional('template', { type: 'string', describe: 'the Handlebars template file' })
      .option('data', { type: 'string', array: true, describe: 'YAML/JSON file(s) with the keys' })
      .option('out', { type: 'string', describe: 'write here instead of stdout' })
      .option('prefix', { type: 'string', describe: 'key prefix the template is relative to' })
      .option('at-revision', { type: 'number', describe: "render the confdir's resources from the store at this etcd revision" })
      .option('resource', { type: 'string', describe: 'with --at-revision: only this resource (app.toml or app)' }),
  handler: async (argv: RenderArgs & Record<string, unknown>): Promise<void> => {
    if (argv['at-revision'] !== undefined) return (await import('./render-at-revision.js')).renderAtRevision(argv);
    const logger = createLogger();
    if (!argv.template || !argv.data?.length) {
      process.stderr.write('switchyard: render needs TEMPLATE and --data FILE (or --confdir DIR --at-revision R)\nRun switchyard --help for usage.\n');
      return exitWith(EXIT_USAGE);
    }
    const data = argv.data.map((d) => resolve(d));
    const templateFile = resolve(argv.template);
    // Imported here so that other commands do not load Handlebars and YAML.
    const { resolveRenderLimits } = await import('../config/run-options.js');
    let limits;
    try {
      limits = resolveRenderLimits(givenFlags(argv, RENDER_LIMIT_OPTIONS));
    } catch (err) {
      return exitWith(reportError(err, logger));
    }
    const { compileTemplateFile, renderTemplate } = await import('../template/engine.js');
    const { DocumentError, readDocuments } = await import('../backends/local/documents.js');
    const renderOnce = async (): Promise<number> => {
      try {
        const template = await compileTemplateFile(templateFile);
        let values: Map<string, string>;
        try {
          values = await readDocuments(data);
        } catch (err) {
          if (err instanceof DocumentError) throw new ConfigError(err.file, err.message.replace(`${err.file}: `, ''));
          throw err;
        }
        let text: string;
        try {
          text = (await renderTemplate(template, { values, prefix: joinKey(argv.prefix ?? ''), limits })).text;
        } catch (err) {
          logger.error(`render failed: ${messageOf(err)}`, { template: template.file });
          return EXIT_FAILED;
        }
        if (argv.out) await writeFile(argv.out, text);
        else process.stdout.write(text);
        return EXIT_OK;
      } catch (err) {
        return err instanceof ConfigError ? (reportError(err, logger), EXIT_USAGE) : reportError(err, logger);
      }
    };
    if (argv['watch'] !== true) return exitWith(await renderOnce());
    const { watchAndRender } = await import('./render-watch.js');
    exitWith(await watchAndRender([templateFile, ...data], renderOnce, logger));
  },
};
