import { describe, expect, it } from 'vitest';
import { compileTemplateSource, renderTemplate } from '../../src/template/engine.js';
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
const render = (source: string): Promise<string> => renderText(source, store, '/app');

describe('getv', () => {
  it('reads keys relative to the prefix, with or without a leading slash', async () => {
    expect(await render('{{getv "/port"}} {{getv "port"}} {{getv "/upstream/a/"}}')).toBe('9001 9001 10.0.0.1:80');
  });

  it('uses the default only when the key is missing', async () => {
    expect(await render('{{getv "/nope" "8080"}} {{getv "/port" "8080"}} [{{getv "/nope" ""}}]')).toBe('8080 9001 []');
  });

  it('does not see keys outside the prefix, even with a shared string prefix', async () => {
    expect((await renderError('{{getv "/../application/port"}}', store, '/app')).message).toContain('not found');
    expect(await render('{{exists "/other/port"}}')).toBe('false');
  });

  it('treats the whole store as visible with prefix "/"', async () => {
    expect(await renderText('{{getv "/other/port"}}', store, '/')).toBe('outside');
  });
});

describe('get, gets and getvs', () => {
  it('@index inside #each is the loop index, although a helper is named index', async () => {
    expect(await render('{{#each (gets "/upstream/*")}}{{@index}}:{{key}} {{/each}}{{#each (ls "/upstream")}}{{@index}}={{this}} {{/each}}')).toBe(
      '0:/upstream/a 1:/upstream/b 0=a 1=b 2=c ',
    );
    expect(await render('{{index (getvs "/upstream/*") 1}}')).toBe('10.0.0.2:80');
  });

  it('get returns the key (relative, as confd stores it) and the value; .Key/.Value still work', async () => {
    expect(await render('{{#with (get "/port")}}{{key}}={{value}} {{Key}}={{Value}}{{/with}}')).toBe('/port=9001 /port=9001');
    expect((await renderError('{{get "/nope"}}', store, '/app')).message).toContain('get: key "/nope" (/app/nope) not found');
  });

  it('gets matches one path segment per * and sorts by key', async () => {
    expect(await render('{{#each (gets "/upstream/*")}}{{key}}={{value}};{{/each}}')).toBe('/upstream/a=10.0.0.1:80;/upstream/b=10.0.0.2:80;');
    expect(await render('{{#each (gets "/upstream/*/*")}}{{key}};{{/each}}')).toBe('/upstream/c/weight;');
  });

  it('gets of nothing is an empty list, and {{else}} renders', async () => {
    expect(await render('{{#each (gets "/none/*")}}x{{else}}empty{{/each}}')).toBe('empty');
  });

  it('getvs returns the values sorted (as confd does), not in key order', async () => {
    const values = { '/p/a': 'zeta', '/p/b': 'alpha', '/p/c': 'mid' };
    expect(await renderText('{{join (getvs "/p/*") ","}}', values)).toBe('alpha,mid,zeta');
  });

  it('reports a malformed pattern', async () => {
    expect((await renderError('{{gets "/a["}}')).message).toContain('gets: syntax error in pattern "/a["');
  });

  it('parses JSON values from gets, as in confd’s nested example', async () => {
    const source = '{{#each (lsdir "/services/web")}}{{this}}:{{#each (gets (join (split (replace "/services/web/D/*" "D" this -1) ",") ","))}}{{#with (json value)}} {{IP}}{{/with}}{{/each}};{{/each}}';
    expect(await render(source)).toBe('cust1: 10.0.0.1 10.0.0.2;cust2: 10.0.0.3;');
  });
});

describe('ls, lsdir and exists', () => {
  it('ls lists child names, sorted and unique', async () => {
    expect(await render('{{join (ls "/upstream") ","}}')).toBe('a,b,c');
    expect(await render('{{join (ls "/") ","}}')).toBe('port,services,upstream');
    expect(await render('{{join (ls "/services/web/") ","}}')).toBe('cust1,cust2,flag');
  });

  it('ls of a leaf key lists its own name; of nothing, an empty list', async () => {
    expect(await render('{{join (ls "/port") ","}}|{{join (ls "/nope") ","}}')).toBe('port|');
  });

  it('ls compares whole segments', async () => {
    expect(await renderText('{{join (ls "/app") ","}}', store, '/')).toBe('port,services,upstream');
  });

  it('lsdir lists only children that have children', async () => {
    expect(await render('{{join (lsdir "/upstream") ","}}')).toBe('c');
    expect(await render('{{join (lsdir "/services/web") ","}}')).toBe('cust1,cust2');
    expect(await render('{{join (lsdir "/port") ","}}')).toBe('');
  });

  it('exists is a boolean usable in #if', async () => {
    expect(await render('{{exists "/port"}} {{exists "/upstream"}} {{#if (exists "/nope")}}yes{{else}}no{{/if}}')).toBe('true false no');
  });
});

describe('a missing key', () => {
  const errorOf = async (source: string, values: Record<string, string>, prefix: string, keys?: string[]): Promise<string> => {
    try {
      await renderTemplate(compileTemplateSource(source, '/tmp/switchyard-missing-key.hbs'), contextOf(values, prefix, keys ? { keys } : {}));
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error(`expected ${source} to fail`);
  };

  it('names the prefix it used and where the key exists instead', async () => {
    const message = await errorOf('{{getv "/port"}}', { '/web/port': '80', '/app/live': 'blue' }, '/app');
    expect(message).toContain('key "/port" (/app/port) not found under the prefix /app; it exists as /web/port: is the prefix right?');
  });

  it('sees a key written with the prefix already in it', async () => {
    expect(await errorOf('{{getv "/app/port"}}', { '/app/port': '80' }, '/app')).toContain('(/app/app/port) not found under the prefix /app; it exists as /app/port');
  });

  it("says when the key is outside the resource's keys", async () => {
    const message = await errorOf('{{getv "/port"}}', { '/app/live': 'blue' }, '/app', ['/app/live', '/app/blue']);
    expect(message).toContain("/app/port is outside the resource's keys (/app/live, /app/blue), so it is never fetched: add it to keys");
  });

  it('says neither when the key is simply missing', async () => {
    expect(await errorOf('{{getv "/port"}}', { '/app/live': 'blue' }, '/app', ['/app'])).toMatch(/not found under the prefix \/app$/);
  });
});
