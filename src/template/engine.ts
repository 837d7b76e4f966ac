// Loads templates: parse and compile at load time (so syntax errors surface
// before anything runs, naming file:line:column), then cache by file and source.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { handlebars } from './environment.js';
import { ConfigError, messageOf } from '../errors.js';
import { TemplateRenderError } from './errors.js';
import { ParseFailure, parseRepairingBraces } from './close-braces.js';
import type { Parsed } from './close-braces.js';
import { checkTemplateAst, lexerLocation, syntaxErrorOf } from './syntax.js';
import type { TemplateAst } from './syntax.js';
import { createPass, publicResult, registerPass } from './pass.js';
import { emptyAnswers } from './state.js';
import { inferKeys } from './infer-keys.js';
import type { CompiledTemplate } from './types.js';

const COMPILE_OPTIONS = { data: true, noEscape: true } as const;

/**
 * A template that starts with this comment keeps every byte of its text:
 * Handlebars' standalone-line rule (a block tag alone on its line takes the
 * line's whitespace and line break with it) is off, so whitespace works as in
 * Go's text/template. `switchyard migrate` writes it; see docs/helpers.md.
 */
export const GO_WHITESPACE_PRAGMA = '{{!-- switchyard:go-whitespace --}}';

interface Compilers {
  Compiler: new () => { compile(ast: unknown, options: object): unknown };
  JavaScriptCompiler: new () => { compile(env: unknown, options: object, context: undefined, asObject: true): unknown };
  template(spec: unknown): (context: unknown, options: { data: Record<string, unknown> }) => string;
}

// Handlebars.compile defers code generation to the first call; do it now.
const generate = (ast: TemplateAst) => {
  const hb = handlebars as unknown as Compilers;
  const environment = new hb.Compiler().compile(ast, { ...COMPILE_OPTIONS });
  return hb.template(new hb.JavaScriptCompiler().compile(environment, { ...COMPILE_OPTIONS }, undefined, true));
};

const buildTemplate = (source: string, file: string): CompiledTemplate => {
  let fn: ReturnType<typeof generate>;
  let parsed: Parsed<TemplateAst> | undefined;
  try {
    const ignoreStandalone = source.startsWith(GO_WHITESPACE_PRAGMA);
    parsed = parseRepairingBraces(source, (text) => handlebars.parse(text, { ignoreStandalone }) as TemplateAst, lexerLocation);
    checkTemplateAst(parsed.ast, file, parsed.map);
    fn = generate(parsed.ast);
  } catch (err) {
    // Errors after parsing carry positions in the repaired text.
    throw syntaxErrorOf(parsed && !(err instanceof ParseFailure) ? new ParseFailure(err, parsed.map) : err, file);
  }
  const pass = createPass(file, fn, parsed.map);
  const template: CompiledTemplate = {
    file,
    inferred: inferKeys(parsed.ast, parsed.map),
    render: (context) => {
      const result = pass(context, emptyAnswers());
      const pending = result.missingLookups[0];
      if (pending) {
        throw new TemplateRenderError(file, undefined, `${pending.kind === 'ip' ? 'lookupIP' : 'lookupSRV'} needs DNS: render with renderTemplate`);
      }
      return publicResult(result);
    },
  };
  registerPass(template, pass);
  return template;
};

const cache = new Map<string, { source: string; template: CompiledTemplate }>();

/** Compiles a template's source; `file` names it in errors. Throws TemplateSyntaxError (a ConfigError). */
export const compileTemplateSource = (source: string, file: string): CompiledTemplate => {
  const hit = cache.get(file);
  if (hit && hit.source === source) return hit.template;
  const template = buildTemplate(source, file);
  cache.set(file, { source, template });
  return template;
};

/** Reads and compiles a template file; recompiles only when its content changed. */
export const compileTemplateFile = async (path: string): Promise<CompiledTemplate> => {
  const file = resolve(path);
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, `cannot read template: ${messageOf(err)}`, { cause: err });
  }
  return compileTemplateSource(source, file);
};

export { renderTemplate } from './render.js';
export type { RenderOptions } from './render.js';
