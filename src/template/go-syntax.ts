// Go-template constructs in a template: confd and consul-template templates
// copied over unchanged. Handlebars would report most of them as a parse
// error or an unknown helper, and render `{{end}}` as an empty variable; this
// names the construct and the way out instead.
import type { TemplatePosition } from './errors.js';

export interface GoConstruct {
  /** The whole tag as written, e.g. `{{range gets "/x/*"}}`. */
  tag: string;
  /** What it is in Go-template terms, and the Handlebars way to write it. */
  advice: string;
  position: TemplatePosition;
}

const GO_ACTIONS: Readonly<Record<string, string>> = {
  range: 'write {{#each (gets "/x/*")}}…{{/each}}',
  end: 'close a block with {{/if}}, {{/each}} or {{/with}}',
  if: 'write {{#if (eq (getv "/x") "y")}}…{{/if}}',
  with: 'write {{#with …}}…{{/with}}',
  define: 'partials and named templates are not supported',
  template: 'partials and named templates are not supported',
  block: 'partials and named templates are not supported',
};

// Everything between quotes removed, so `{{getv "a|b"}}` is not a pipeline.
const unquoted = (inner: string): string => inner.replace(/"(?:[^"\\]|\\.)*"|`[^`]*`/g, '""');

/** Block params declared anywhere (`as |$e $i|`): `switchyard migrate` names them after Go's variables. */
const blockParams = (source: string): Set<string> =>
  new Set([...source.matchAll(/\bas\s+\|([^|]*)\|/g)].flatMap((m) => (m[1] ?? '').trim().split(/\s+/)));

const classify = (inner: string, params: ReadonlySet<string>): string | undefined => {
  if (/^-\s|\s-$/.test(inner)) return "{{- and -}} trim whitespace in Go templates; Handlebars writes {{~ and ~}}";
  const body = inner.trim();
  if (/^\.[A-Za-z_]/.test(body)) return 'fields are written without the dot: {{key}}, {{value}} inside {{#each}}';
  const param = /^\$[A-Za-z0-9_]*/.exec(body)?.[0];
  if (/^\$|:=/.test(body) && !(param !== undefined && params.has(param) && !body.includes(':='))) return 'Go-template variables are not supported: use {{#each}} with {{this}}, {{@key}}, {{@index}}';
  const word = /^([a-z]+)\b/.exec(body)?.[1];
  if (word !== undefined && word in GO_ACTIONS && !(word === 'if' && body === 'if')) return GO_ACTIONS[word];
  if (!/^[#/^!>]|^else\b/.test(body) && unquoted(body).includes('|')) return 'pipelines are written as sub-expressions: (toUpper (getv "/x"))';
  return undefined;
};

const positionAt = (source: string, index: number): TemplatePosition => {
  const before = source.slice(0, index);
  const line = before.split('\n').length;
  return { line, column: index - before.lastIndexOf('\n') };
};

/** The first Go-template construct in a template's source, if any. */
export const findGoConstruct = (source: string): GoConstruct | undefined => {
  // {{!-- comments --}} and {{! comments }} say anything they like: blanked, positions kept.
  const code = source.replace(/\{\{!--[\s\S]*?--\}\}|\{\{![\s\S]*?\}\}/g, (comment) => comment.replace(/[^\n]/g, ' '));
  const params = blockParams(code);
  for (const match of code.matchAll(/\{\{([^{}]*)\}\}/g)) {
    const advice = classify(match[1] ?? '', params);
    if (advice) return { tag: match[0], advice, position: positionAt(code, match.index) };
  }
  return undefined;
};
