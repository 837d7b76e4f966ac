// A confd (Go-template) construct left in a Handlebars template is named as
// such, with its position and the way to write it, at compile time.
import { describe, expect, it } from 'vitest';
import { compileTemplateSource } from '../../src/template/engine.js';
import { TemplateSyntaxError } from '../../src/template/errors.js';
import { findGoConstruct } from '../../src/template/go-syntax.js';

const FILE = '/etc/switchyard/templates/go.hbs';

const compileError = (source: string): TemplateSyntaxError => {
  try {
    compileTemplateSource(source, FILE);
  } catch (err) {
    return err as TemplateSyntaxError;
  }
  throw new Error(`expected ${JSON.stringify(source)} not to compile`);
};

describe('Go-template syntax in a Handlebars template', () => {
  it.each([
    ['{{range gets "/upstream/*"}}x{{end}}', '{{range gets "/upstream/*"}}', /#each/],
    ['{{.Key}}', '{{.Key}}', /without the dot/],
    ['server {{ .Value }};', '{{ .Value }}', /without the dot/],
    ['{{if eq (getv "/live") "blue"}}a{{end}}', '{{if eq (getv "/live") "blue"}}', /#if/],
    ['x\n{{end}}', '{{end}}', /\{\{\/if\}\}/],
    ['{{$x := getv "/a"}}', '{{$x := getv "/a"}}', /variables/],
    ['{{#each (gets "/u/*") as |$p|}}{{/each}}{{$q}}', '{{$q}}', /variables/],
    ['{{- getv "/a" -}}', '{{- getv "/a" -}}', /~/],
    ['{{getv "/a" | toUpper}}', '{{getv "/a" | toUpper}}', /sub-expressions/],
  ])('reports %j', (source, tag, advice) => {
    const err = compileError(source);
    expect(err).toBeInstanceOf(TemplateSyntaxError);
    expect(err.message).toContain(`Go-template syntax ${tag}`);
    expect(err.message).toMatch(advice);
    expect(err.message).toContain('switchyard migrate confd');
  });

  it('gives file:line:column of the construct', () => {
    const err = compileError('upstream app {\n{{#each (gets "/u/*")}}\n  server {{.Value}};\n{{/each}}\n}');
    expect(err.message.startsWith(`${FILE}:3:10: Go-template syntax {{.Value}}`)).toBe(true);
    expect([err.line, err.column]).toEqual([3, 10]);
  });

  it('leaves Handlebars alone, including what looks like Go at first sight', () => {
    const handlebarsOnly = [
      '{{getv "/port"}}',
      '{{getv "/a|b"}}',
      '{{#each (gets "/u/*") as |pair|}}{{pair.value}}{{/each}}',
      '{{#if (eq (getv "/live") "blue")}}a{{else if (eq (getv "/live") "green")}}b{{else}}c{{/if}}',
      '{{!-- {{range}} in a comment --}}{{! {{end}} }}',
      '{{~getv "/a"~}} {{this}} {{.}} {{@index}}',
      '{{#each (byTag (consulService "web")) as |$services $tag|}}{{$tag}} {{$services.length}}{{/each}}',
    ];
    for (const source of handlebarsOnly) expect(findGoConstruct(source), source).toBeUndefined();
  });
});
