// Loads templates: parse and compile at load time (so syntax errors surface
// before anything runs, naming file:line:column), then cache by file and source.
// A template file is read synchronously, as configuration files are
// (../config/toml.ts).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { handlebars } from './environment.js';
import { ConfigError, messageOf } from '../errors.js';
import { TemplateRenderError, TemplateSyntaxError } from './errors.js';
import { ParseFailure, parseRepairingBraces } from './close-braces.js';
import type { Parsed } from './close-braces.js';
import { findGoConstruct } from './go-syntax.js';
import { checkTemplateAst, lexerLocation, syntaxErrorOf } from './syntax.js';
import type { TemplateAst } from './syntax.js';
import { createPass, registerPass } from './pass.js';
import { inferKeys } from './infer-keys.js';
import { findLoopBodies } from './loop-bodies.js';
import { allHelpers } from './helpers/index.js';
import { asPure, type PureHelper } from './helpers/pure.js';
import type { CompiledTemplate } from './types.js';
import { unknownNames } from './unknown-names.js';

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

type TemplateFn = ReturnType<Compilers['template']>;

// Compiling to opcodes finds every compile-time error, so it runs at load.
// Generating JavaScript from them costs most of the time (seconds for ten
// thousand tags) and cannot fail on opcodes that compiled: it runs at the
// first render, so `check` and SIGHUP stay fast.
const generate = (ast: TemplateAst): (() => TemplateFn) => {
  const hb = handlebars as unknown as Compilers;
  const environment = new hb.Compiler().compile(ast, { ...COMPILE_OPTIONS });
  let fn: TemplateFn | undefined;
  return () => (fn ??= hb.template(new hb.JavaScriptCompiler().compile(environment, { ...COMPILE_OPTIONS }, undefined, true)));
};

const buildTemplate = (source: string, file: string): CompiledTemplate => {
  const go = findGoConstruct(source);
  if (go) {
    const detail = `Go-template syntax ${go.tag}: switchyard templates are Handlebars (${go.advice}); \`switchyard migrate confd SRC_CONFDIR DEST_CONFDIR\` converts confd templates`;
    throw new TemplateSyntaxError(file, detail, go.position);
  }
  let fn: ReturnType<typeof generate>;
  let parsed: Parsed<TemplateAst> | undefined;
  try {
    const ignoreStandalone = source.startsWith(GO_WHITESPACE_PRAGMA);
    parsed = parseRepairingBraces(source, (text) => handlebars.parse(text, { ignoreStandalone }) as TemplateAst, lexerLocation);
    checkTemplateAst(parsed.ast, file, parsed.map);
    fn = generate(parsed.ast);
  } catch (err) {
    // Errors after parsing carry positions in the repaired text.
    throw syntaxErrorOf(parsed && !(err instanceof ParseFailure) ? new ParseFailure(err, parsed.map) : err, file, source);
  }
  const template: CompiledTemplate = { file, unknownNames: unknownNames(parsed.ast, parsed.map), inferred: inferKeys(parsed.ast, parsed.map) };
  const isHelper = (name: string): boolean => (handlebars.helpers as Record<string, unknown>)[name] != null;
  const pure = (name: string): PureHelper | undefined => (Object.hasOwn(allHelpers, name) ? asPure(allHelpers[name]) : undefined);
  registerPass(template, createPass(file, fn, parsed.map, findLoopBodies(parsed.ast, { isHelper, pure })));
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
    source = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, `cannot read template: ${messageOf(err)}`, { cause: err });
  }
  return compileTemplateSource(source, file);
};

/** The error a strict resource gets for a template that reads a name it can never have. */
export const strictnessError = (template: CompiledTemplate): TemplateSyntaxError | undefined => {
  const first = template.unknownNames[0];
  if (!first) return undefined;
  const names = [...new Set(template.unknownNames.map((u) => u.name))].map((n) => JSON.stringify(n)).join(', ');
  return new TemplateSyntaxError(
    template.file,
    `unknown name ${JSON.stringify(first.name)} always renders as nothing (strict; unknown: ${names}); use getv "/key", or set strict = false`,
    first,
  );
};

export { renderTemplate } from './render.js';
export type { RenderOptions } from './render.js';
