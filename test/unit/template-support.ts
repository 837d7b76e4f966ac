// Shared by the template tests: compile a source and render it against a few keys.
import { compileTemplateSource, renderTemplate } from '../../src/template/engine.js';
import type { RenderContext } from '../../src/template/types.js';

export const TEMPLATE_FILE = '/etc/switchyard/templates/test.hbs';

let counter = 0;

/** A context whose values are given as a plain object of absolute keys. */
export const contextOf = (values: Record<string, string> = {}, prefix = '/', extra: Partial<RenderContext> = {}): RenderContext => ({
  values: new Map(Object.entries(values)),
  prefix,
  ...extra,
});

/** Renders; each call compiles under its own file name so caches do not interfere. */
export const renderText = async (source: string, values: Record<string, string> = {}, prefix = '/'): Promise<string> =>
  (await renderTemplate(compileTemplateSource(source, `/tmp/switchyard-test-${counter++}.hbs`), contextOf(values, prefix))).text;

/** The error a render throws (fails the test when it does not throw). */
export const renderError = async (source: string, values: Record<string, string> = {}, prefix = '/'): Promise<Error> => {
  try {
    await renderTemplate(compileTemplateSource(source, TEMPLATE_FILE), contextOf(values, prefix));
  } catch (err) {
    return err as Error;
  }
  throw new Error(`expected ${JSON.stringify(source)} to fail`);
};
