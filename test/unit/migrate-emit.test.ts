import { describe, expect, it } from 'vitest';
import type { ServiceInstance } from '../../src/backends/backend.js';
import { PRAGMA, emitHandlebars } from '../../src/migrate/emit-handlebars.js';
import type { Dialect } from '../../src/migrate/functions.js';
import { parseGoTemplate } from '../../src/migrate/go-template/parser.js';
import { GO_WHITESPACE_PRAGMA, compileTemplateSource, renderTemplate } from '../../src/template/engine.js';
import { contextOf, renderError } from './template-support.js';

let n = 0;
const convert = (go: string, dialect: Dialect = 'confd') => emitHandlebars(parseGoTemplate(go), dialect);
const render = async (go: string, values: Record<string, string>, dialect: Dialect = 'confd', services: Record<string, ServiceInstance[]> = {}): Promise<string> => {
  const { text, problems } = convert(go, dialect);
  expect(problems).toEqual([]);
  const context = contextOf(values, '/', { service: (name) => services[name] ?? [] });
  return (await renderTemplate(compileTemplateSource(text, `/tmp/migrate-emit-${n++}.hbs`), context)).text;
};

const KV = { '/app/upstream/a': '10.0.0.1:80', '/app/upstream/b': '10.0.0.2:80', '/app/name': 'web', '/app/port': '8080' };

describe('Handlebars emitter: whitespace as Go writes it', () => {
  it('uses the engine’s go-whitespace pragma', async () => {
    expect(PRAGMA).toBe(GO_WHITESPACE_PRAGMA);
  });

  it('keeps the line breaks around block tags that stand alone on their lines', async () => {
    const go = 'upstream {\n{{range gets "/app/upstream/*"}}\n  server {{.Value}};\n{{end}}\n}\n';
    expect(await render(go, KV)).toBe('upstream {\n\n  server 10.0.0.1:80;\n\n  server 10.0.0.2:80;\n\n}\n');
  });

  it('applies Go trim markers, and only to ASCII whitespace', async () => {
    const go = 'a {{- range gets "/app/upstream/*" }}\n  {{ .Value -}} ; \u00a0{{- end }}\nz';
    expect(await render(go, KV)).toBe('a\n  10.0.0.1:80; \u00a0\n  10.0.0.2:80; \u00a0\nz');
  });

  it('escapes text that looks like Handlebars, and backslashes before a tag', async () => {
    expect(await render('{{`{{`}} \\{{getv "/app/name"}}\\', KV)).toBe('{{ \\web\\');
    expect(await render('x {{"{{y}}"}} \\\\{{getv "/app/port"}}', KV)).toBe('x {{y}} \\\\8080');
  });

  it('keeps an opening brace right before a tag', async () => {
    expect(await render('upstream {{`{{{`}}{{- range getvs "/app/upstream/*"}}{ {{.}};{{end}}', KV)).toBe('upstream {{{{ 10.0.0.1:80;{ 10.0.0.2:80;');
  });

  it('keeps nginx’s closing braces right after a tag', async () => {
    expect(await render('{{range gets "/app/upstream/*"}}{ {{.Value}}}{{end}}}', KV)).toBe('{ 10.0.0.1:80}{ 10.0.0.2:80}}');
  });
});

describe('Handlebars emitter: constructs', () => {
  it('converts variables, assignment in the same block, and $ for the root', async () => {
    const go = '{{$n := getv "/app/name"}}{{$p := getv "/app/port"}}{{$n}}:{{$p}}{{$n = "x"}} {{$n}}';
    expect(await render(go, KV)).toBe('web:8080 x');
  });

  it('converts range with index and element, and else', async () => {
    const go = '{{range $i, $e := ls "/app/upstream"}}{{$i}}={{$e}} {{end}}|{{range ls "/none"}}x{{else}}empty{{end}}';
    expect(await render(go, KV)).toBe('0=a 1=b |empty');
  });

  it('converts nested range over gets of the outer key (confd’s shape)', async () => {
    const values = { '/svc/a/1': 'x', '/svc/a/2': 'y', '/svc/b/1': 'z' };
    const go = '{{range $d := lsdir "/svc"}}{{$d}}:{{range gets (printf "/svc/%s/*" $d)}}{{base .Key}}={{.Value}},{{end}};{{end}}';
    expect(await render(go, values)).toBe('a:1=x,2=y,;b:1=z,;');
  });

  it('converts if / else if / else, with, exists, and n-ary eq', async () => {
    const go = '{{if eq (getv "/app/port") "80" "443"}}std{{else if exists "/app/name"}}named{{else}}none{{end}}{{with get "/app/name"}} {{.Value}}{{end}}';
    expect(await render(go, KV)).toBe('named web');
    expect(await render(go, { ...KV, '/app/port': '443' })).toBe('std web');
    expect(await render('{{with $n := getv "/app/name"}}{{$n}}!{{end}}', KV)).toBe('web!');
    expect(await render('{{if $p := getv "/missing" ""}}set {{$p}}{{else}}unset{{end}} {{if $n := getv "/app/name"}}{{$n}}{{end}}', KV)).toBe('unset web');
  });

  it('gives or and and Go’s value semantics outside conditions', async () => {
    expect(await render('{{or (getv "/missing" "") "fallback"}} {{and "a" "b"}} {{if or "" "x"}}yes{{end}}', KV)).toBe('fallback b yes');
  });

  it('inlines define/template and block', async () => {
    const go = '{{define "srv"}}server {{.}};{{end}}{{range getvs "/app/upstream/*"}}{{template "srv" .}}{{end}}{{block "t" "v"}}[{{.}}]{{end}}';
    expect(await render(go, KV)).toBe('server 10.0.0.1:80;server 10.0.0.2:80;[v]');
  });

  it('converts pipelines and parenthesized pipelines, printf, len, index', async () => {
    const go = '{{atoi (getv "/app/port") | printf "%s-%05d" (getv "/app/name" | toUpper) | printf "%q"}} {{len (ls "/app/upstream")}} {{index (split "a,b" ",") 1}}';
    expect(await render(go, KV)).toBe('"WEB-08080" 2 b');
    // The piped value is the last argument, as in Go.
    expect(await render('{{getv "/app/name" | printf "%s-%d" 1}}', KV)).toBe('%!s(int=1)-%!d(string=web)');
  });

  it('converts field chains on results', async () => {
    expect(await render('{{(get "/app/name").Value}} {{$x := get "/app/port"}}{{$x.Key}}', KV)).toBe('web /app/port');
  });

  it('drops comments', async () => {
    expect(await render('a{{/* note */}}b{{- /* trim */ -}} c', KV)).toBe('abc');
  });
});

describe('Handlebars emitter: consul-template functions', () => {
  const web = (id: string, address: string, port: number, tags: string[], node = 'n1'): ServiceInstance => ({ id, name: 'web', address, port, tags, meta: { v: '1' }, node });
  const services = { web: [web('web-2', '10.0.0.2', 80, ['b', 'a']), web('web-1', '10.0.0.3', 81, ['a'])] };

  it('lists a service as consul-template does: by node then ID, tags sorted, Go field names', async () => {
    const go = '{{range service "web"}}{{.ID}} {{.Address}}:{{.Port}} {{.Tags | join ","}} {{.ServiceMeta.v}}\n{{end}}';
    expect(await render(go, {}, 'consul-template', services)).toBe('web-1 10.0.0.3:81 a 1\nweb-2 10.0.0.2:80 a,b 1\n');
  });

  it('filters by tag and groups by tag', async () => {
    expect(await render('{{range service "b.web"}}{{.ID}}{{end}}', {}, 'consul-template', services)).toBe('web-2');
    const go = '{{range $tag, $s := service "web" | byTag}}{{$tag}}:{{range $s}}{{.ID}},{{end}};{{end}}';
    expect(await render(go, {}, 'consul-template', services)).toBe('a:web-1,web-2,;b:web-2,;');
  });

  it('converts key, keyOrDefault, keyExists, ls and tree with consul-template’s key paths', async () => {
    const values = { '/cfg/a': '1', '/cfg/sub/b': '2', '/cfg/c': '3' };
    const go = '{{key "cfg/a"}} {{keyOrDefault "cfg/x" "d"}} {{keyExists "cfg/c"}} {{range ls "cfg"}}{{.Key}}={{.Value}},{{end}} {{range tree "cfg/"}}{{.Key}}({{.Path}}),{{end}}';
    expect(await render(go, values, 'consul-template')).toBe('1 d true a=1,c=3, a(cfg/a),c(cfg/c),sub/b(cfg/sub/b),');
  });

  it('reorders piped arguments: split, join, contains, replaceAll, regexReplaceAll, toJSON', async () => {
    const values = { '/l': ' x,y ', '/j': '{"b":[1,"<"],"a":true}' };
    const go = '{{key "l" | split "," | join ";"}} {{if key "l" | split "," | contains "y"}}has{{end}} {{key "l" | replaceAll "," "+" | trimSpace}} {{key "l" | regexReplaceAll "([a-z])" "<$1>"}} {{key "j" | parseJSON | toJSON}}';
    expect(await render(go, values, 'consul-template')).toBe('x;y has x+y  <x>,<y>  {"a":true,"b":[1,"\\u003c"]}');
    // Go ranges over a map in key order.
    expect(await render('{{range $k, $v := key "j" | parseJSON}}{{$k}} {{end}}', values, 'consul-template')).toBe('a b ');
  });
});

describe('Handlebars emitter: what it cannot convert', () => {
  it('reports each construct with its line and leaves a marker that fails the render', async () => {
    const go = 'a {{key "app/name"}}\n{{with secret "db/creds"}}{{.Data.password}}{{end}}\n{{plugin "x"}}\nb';
    const { text, problems } = convert(go, 'consul-template');
    expect(problems.map((p) => [p.line, p.construct])).toEqual([[2, 'secret "db/creds"'], [3, 'plugin "x"']]);
    expect(problems[0]?.reason).toContain('Vault');
    expect(text).toContain('{{unconverted "line 2: secret');
    expect(text).toContain('{{getv "/app/name"}}');
    const err = await renderError(text, KV);
    expect(err.message).toContain('not converted from the original template: line 2: secret "db/creds"');
  });

  it('converts services, and reports the service list of another datacenter', () => {
    const { text, problems } = convert('{{range services}}{{.Name}}{{end}}\n{{range services "@dc2"}}{{.Name}}{{end}}', 'consul-template');
    expect(text).toContain('{{#each (consulServices)}}');
    expect(problems.map((p) => [p.line, p.construct, p.reason])).toEqual([[2, 'services "@dc2"', 'the service list of another datacenter is not converted']]);
  });

  it('reports unknown functions, break, and outer assignment', async () => {
    const go = '{{nosuch 1}}\n{{range ls "/a"}}{{break}}{{end}}\n{{$x := 1}}{{range ls "/a"}}{{$x = 2}}{{end}}';
    expect(convert(go).problems.map((p) => `${p.line}: ${p.reason}`)).toEqual([
      '1: unknown function "nosuch"',
      '2: Handlebars loops cannot break or continue',
      '3: assigning a variable declared outside this block',
    ]);
  });
});
