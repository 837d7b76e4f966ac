import { describe, expect, it } from 'vitest';
import { compileTemplateSource } from '../../src/template/engine.js';
import { contextOf, renderError, renderText } from './template-support.js';

const store = {
  '/app/port': '9001',
  '/app/upstream/b': '10.0.0.2:80',
  '/app/upstream/a': '10.0.0.1:80',
  '/app/upstream/c/weight': '5',
  '/app/services/web/cust1/2': '{"IP":"10.0.0.2"}',
  '/app/services/web/cust1/1': '{"IP":"10.0.0.1"}',
  '/app/services/web/cust2/1': '{"IP":"10.0.0.3"}',
  '/app/services/web/flag': 'on',
  '/application/port': 'not under /app',
  '/other/port': 'outside',
};
const render = (source: string): string => renderText(source, store, '/app');

describe('getv', () => {
  it('reads keys relative to the prefix, with or without a leading slash', () => {
    expect(render('{{getv "/port"}} {{getv "port"}} {{getv "/upstream/a/"}}')).toBe('9001 9001 10.0.0.1:80');
  });

  it('uses the default only when the key is missing', () => {
    expect(render('{{getv "/nope" "8080"}} {{getv "/port" "8080"}} [{{getv "/nope" ""}}]')).toBe('8080 9001 []');
  });

  it('does not see keys outside the prefix, even with a shared string prefix', () => {
    expect(renderError('{{getv "/../application/port"}}', store, '/app').message).toContain('not found');
    expect(render('{{exists "/other/port"}}')).toBe('false');
  });

  it('treats the whole store as visible with prefix "/"', () => {
    expect(renderText('{{getv "/other/port"}}', store, '/')).toBe('outside');
  });
});

describe('get, gets and getvs', () => {
  it('get returns the key (relative, as confd stores it) and the value; .Key/.Value still work', () => {
    expect(render('{{#with (get "/port")}}{{key}}={{value}} {{Key}}={{Value}}{{/with}}')).toBe('/port=9001 /port=9001');
    expect(renderError('{{get "/nope"}}', store, '/app').message).toContain('get: key "/nope" (/app/nope) not found');
  });

  it('gets matches one path segment per * and sorts by key', () => {
    expect(render('{{#each (gets "/upstream/*")}}{{key}}={{value}};{{/each}}')).toBe('/upstream/a=10.0.0.1:80;/upstream/b=10.0.0.2:80;');
    expect(render('{{#each (gets "/upstream/*/*")}}{{key}};{{/each}}')).toBe('/upstream/c/weight;');
  });

  it('gets of nothing is an empty list, and {{else}} renders', () => {
    expect(render('{{#each (gets "/none/*")}}x{{else}}empty{{/each}}')).toBe('empty');
  });

  it('getvs returns the values sorted (as confd does), not in key order', () => {
    const values = { '/p/a': 'zeta', '/p/b': 'alpha', '/p/c': 'mid' };
    expect(renderText('{{join (getvs "/p/*") ","}}', values)).toBe('alpha,mid,zeta');
  });

  it('reports a malformed pattern', () => {
    expect(renderError('{{gets "/a["}}').message).toContain('gets: syntax error in pattern "/a["');
  });

  it('parses JSON values from gets, as in confd’s nested example', () => {
    const source = '{{#each (lsdir "/services/web")}}{{this}}:{{#each (gets (join (split (replace "/services/web/D/*" "D" this -1) ",") ","))}}{{#with (json value)}} {{IP}}{{/with}}{{/each}};{{/each}}';
    expect(render(source)).toBe('cust1: 10.0.0.1 10.0.0.2;cust2: 10.0.0.3;');
  });
});

describe('ls, lsdir and exists', () => {
  it('ls lists child names, sorted and unique', () => {
    expect(render('{{join (ls "/upstream") ","}}')).toBe('a,b,c');
    expect(render('{{join (ls "/") ","}}')).toBe('port,services,upstream');
    expect(render('{{join (ls "/services/web/") ","}}')).toBe('cust1,cust2,flag');
  });

  it('ls of a leaf key lists its own name; of nothing, an empty list', () => {
    expect(render('{{join (ls "/port") ","}}|{{join (ls "/nope") ","}}')).toBe('port|');
  });

  it('ls compares whole segments', () => {
    expect(renderText('{{join (ls "/app") ","}}', store, '/')).toBe('port,services,upstream');
  });

  it('lsdir lists only children that have children', () => {
    expect(render('{{join (lsdir "/upstream") ","}}')).toBe('c');
    expect(render('{{join (lsdir "/services/web") ","}}')).toBe('cust1,cust2');
    expect(render('{{join (lsdir "/port") ","}}')).toBe('');
  });

  it('exists is a boolean usable in #if', () => {
    expect(render('{{exists "/port"}} {{exists "/upstream"}} {{#if (exists "/nope")}}yes{{else}}no{{/if}}')).toBe('true false no');
  });
});

describe('a missing key', () => {
  const errorOf = (source: string, values: Record<string, string>, prefix: string, keys?: string[]): string => {
    try {
      compileTemplateSource(source, '/tmp/switchyard-missing-key.hbs').render(contextOf(values, prefix, keys ? { keys } : {}));
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error(`expected ${source} to fail`);
  };

  it('names the prefix it used and where the key exists instead', () => {
    const message = errorOf('{{getv "/port"}}', { '/web/port': '80', '/app/live': 'blue' }, '/app');
    expect(message).toContain('key "/port" (/app/port) not found under the prefix /app; it exists as /web/port: is the prefix right?');
  });

  it('sees a key written with the prefix already in it', () => {
    expect(errorOf('{{getv "/app/port"}}', { '/app/port': '80' }, '/app')).toContain('(/app/app/port) not found under the prefix /app; it exists as /app/port');
  });

  it("says when the key is outside the resource's keys", () => {
    const message = errorOf('{{getv "/port"}}', { '/app/live': 'blue' }, '/app', ['/app/live', '/app/blue']);
    expect(message).toContain("/app/port is outside the resource's keys (/app/live, /app/blue), so it is never fetched: add it to keys");
  });

  it('says neither when the key is simply missing', () => {
    expect(errorOf('{{getv "/port"}}', { '/app/live': 'blue' }, '/app', ['/app'])).toMatch(/not found under the prefix \/app$/);
  });
});
