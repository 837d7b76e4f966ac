import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { compileTemplateFile, compileTemplateSource, renderTemplate } from '../../src/template/engine.js';
import { TemplateRenderError, TemplateSyntaxError } from '../../src/template/errors.js';
import { TEMPLATE_FILE, contextOf, renderError, renderText } from './template-support.js';

const syntaxError = (source: string): TemplateSyntaxError => {
  try {
    compileTemplateSource(source, TEMPLATE_FILE);
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateSyntaxError);
    expect(err).toBeInstanceOf(ConfigError);
    return err as TemplateSyntaxError;
  }
  throw new Error(`expected ${JSON.stringify(source)} not to compile`);
};

describe('rendering like confd', () => {
  it('renders the simple upstream template as confd does', async () => {
    const text = await renderText('upstream app { server 127.0.0.1:{{getv "/port"}}; }', { '/app/port': '9001' }, '/app');
    expect(text).toBe('upstream app { server 127.0.0.1:9001; }');
  });

  it('renders the nginx example of confd’s documentation', async () => {
    const source = [
      'worker_processes {{getv "/nginx/worker_processes"}};',
      'upstream app {',
      '{{#each (getvs "/app/upstream/*")}}',
      '    server {{this}};',
      '{{/each}}',
      '}',
      'server_name www.{{getv "/nginx/domain"}};',
      '',
    ].join('\n');
    const values = {
      '/nginx/domain': 'example.com',
      '/nginx/worker_processes': '2',
      '/app/upstream/app2': '10.0.1.101:80',
      '/app/upstream/app1': '10.0.1.100:80',
    };
    expect(await renderText(source, values)).toBe(
      'worker_processes 2;\nupstream app {\n    server 10.0.1.100:80;\n    server 10.0.1.101:80;\n}\nserver_name www.example.com;\n',
    );
  });

  it('never HTML-escapes', async () => {
    expect(await renderText('{{getv "/v"}} {{{getv "/v"}}}', { '/v': `<a href="x">&'` })).toBe(`<a href="x">&' <a href="x">&'`);
  });

  it('reports the services it was asked for, sorted, and the ones it could not answer', async () => {
    const template = compileTemplateSource('{{#each (service "web")}}{{address}}{{/each}}{{service "api"}}', TEMPLATE_FILE);
    const result = await renderTemplate(template, contextOf({}, '/', { service: (name) => (name === 'web' ? [] : undefined) }));
    expect(result.services).toEqual(['api', 'web']);
    expect(result.missingServices).toEqual(['api']);
  });
});

describe('syntax errors at load time', () => {
  it('names file, line and column of a parse error', async () => {
    const err = syntaxError('server {\n  listen 80;\n  port {{getv "/port" }\n}');
    expect(err.message).toMatch(/^\/etc\/switchyard\/templates\/test\.hbs:3:23: Parse error: unexpected invalid text/);
    expect([err.file, err.line, err.column]).toEqual([TEMPLATE_FILE, 3, 23]);
  });

  it('points at the token where a subexpression breaks', async () => {
    const err = syntaxError('a\n  {{getv "a" (}}');
    expect([err.line, err.column]).toEqual([2, 15]);
    expect(err.message).toContain("unexpected '}}'");
  });


  it('reports an unclosed block, naming its opening tag and line', async () => {
    expect(syntaxError('{{#if a}}\nx').message).toContain("unexpected end of input, expecting '{{else …}}', '{{else}}', '{{/': {{#if}} at line 1 is never closed (add {{/if}})");
    // Blocks closed, in a comment, or escaped are not the one left open.
    const nested = '{{#each (gets "/a/*")}}\n  {{#if value}}{{value}}{{/if}}\n{{!-- {{#with x}} --}}\\{{#unless y}}\n';
    expect(syntaxError(nested).message).toContain('{{#each}} at line 1 is never closed (add {{/each}})');
    const inner = '{{#each (gets "/a/*")}}\n  {{#if value}}\n  {{^}}\n{{key}}';
    expect(syntaxError(inner).message).toContain('{{#if}} at line 2 is never closed (add {{/if}})');
  });

  it('reports mismatched blocks with their position', async () => {
    const err = syntaxError('x\n{{#if a}} {{/each}}');
    expect(err.message).toBe(`${TEMPLATE_FILE}:2:4: if doesn't match each`);
  });

  it('rejects an unknown helper at load time, not at render', async () => {
    const err = syntaxError('line\n  {{getV "/x"}}');
    expect(err.message).toBe(`${TEMPLATE_FILE}:2:3: unknown helper "getV"`);
    expect(syntaxError('{{#each (gest "/a/*")}}{{/each}}').message).toContain('unknown helper "gest"');
  });

  it('rejects #if without its argument and partials', async () => {
    expect(syntaxError('{{#if}}x{{/if}}').message).toBe(`${TEMPLATE_FILE}:1:1: #if requires exactly one argument`);
    expect(syntaxError('{{> header}}').message).toContain('partials and decorators are not supported');
  });

  it('accepts plain property lookups and sections', async () => {
    expect(() => compileTemplateSource('{{name}} {{#items}}{{this}}{{/items}} {{@index}}', TEMPLATE_FILE)).not.toThrow();
  });
});

describe('a "}" right after a tag, as nginx and HAProxy blocks end', () => {
  it('reads "{{/each}}}" as "{{/each}}" then "}"', async () => {
    const source = 'upstream app {\n{{#each (getvs "/up/*")}}server {{this}}; {{/each}}}\nserver { listen {{getv "/port"}}}}';
    expect(await renderText(source, { '/up/a': '10.0.0.1:80', '/up/b': '10.0.0.2:80', '/port': '80' })).toBe(
      'upstream app {\nserver 10.0.0.1:80; server 10.0.0.2:80; }\nserver { listen 80}}',
    );
  });

  it('keeps a real triple-stash and reports positions in the original columns', async () => {
    expect(await renderText('{{{getv "/v"}}}}', { '/v': 'x' })).toBe('x}');
    expect(await renderText('a { b { {{#if (exists "/v")}}c;{{/if}}}}', { '/v': 'x' })).toBe('a { b { c;}}');
    expect(await renderText('{{getv "/v" ~}}}  x', { '/v': 'v' })).toBe('v}  x');
    const err = await renderError('{{#if a}}x{{/if}}}{{#if b}}y{{/if}}}{{getv "/nope"}}');
    expect(err.message).toBe(`${TEMPLATE_FILE}:1:37: getv: key "/nope" (/nope) not found with no prefix`);
    const syntax = syntaxError('{{#if a}}x{{/if}}}{{#if b}}y{{/if}}} {{getV "/x"}}');
    expect([syntax.line, syntax.column]).toEqual([1, 38]);
    expect(syntaxError('{{#if a}}{{/if}}} {{getv "a" (}}').column).toBe(31);
  });
});

describe('render errors', () => {
  it('names the missing key as written and in full, with the position', async () => {
    const err = await renderError('a\n  b {{getv "/port"}}', {}, '/app');
    expect(err).toBeInstanceOf(TemplateRenderError);
    expect(err.message).toBe(`${TEMPLATE_FILE}:2:5: getv: key "/port" (/app/port) not found under the prefix /app`);
    const e = err as TemplateRenderError;
    expect([e.file, e.key, e.detail, e.line, e.column]).toEqual([TEMPLATE_FILE, '/port', 'getv: key "/port" (/app/port) not found under the prefix /app', 2, 5]);
  });

  it('names the helper and what was wrong for a misused helper, also inside subexpressions', async () => {
    expect((await renderError('{{getv}}')).message).toBe(`${TEMPLATE_FILE}:1:1: getv: expects KEY [DEFAULT], got 0 arguments`);
    expect((await renderError('{{toUpper (getv missingVar "")}}')).message).toContain('getv: KEY must be a string, got undefined');
    expect((await renderError('x {{add 1 (atoi "x")}}')).message).toBe(`${TEMPLATE_FILE}:1:11: atoi: parsing "x": invalid syntax`);
  });

  it('keeps the error raised deep inside a block', async () => {
    const err = await renderError('{{#each (ls "/a")}}\n{{#if (eq this "b")}}{{getv "/nope"}}{{/if}}{{/each}}', { '/a/b': '1' });
    expect(err.message).toBe(`${TEMPLATE_FILE}:2:22: getv: key "/nope" (/nope) not found with no prefix`);
  });
});

describe('loading and caching', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-tpl-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('compiles a file once and again only when it changes', async () => {
    const path = join(dir, 'app.hbs');
    await writeFile(path, 'port {{getv "/port"}}');
    const first = await compileTemplateFile(path);
    expect(first.file).toBe(path);
    expect(await compileTemplateFile(path)).toBe(first);
    await writeFile(path, 'PORT {{getv "/port"}}');
    const second = await compileTemplateFile(path);
    expect(second).not.toBe(first);
    expect((await renderTemplate(second, contextOf({ '/port': '1' }))).text).toBe('PORT 1');
  });

  it('reports a syntax error in a file with its path', async () => {
    const path = join(dir, 'bad.hbs');
    await writeFile(path, 'ok\n{{#each}}');
    await expect(compileTemplateFile(path)).rejects.toThrow(new RegExp(`^${path}:2:`));
  });

  it('reports an unreadable file as a ConfigError naming it', async () => {
    const path = join(dir, 'missing.hbs');
    await expect(compileTemplateFile(path)).rejects.toBeInstanceOf(ConfigError);
    await expect(compileTemplateFile(path)).rejects.toThrow(path);
  });
});
