// #each over an array runs in a loop of switchyard's own (each-array.ts):
// whatever a template reads in it (@index, @first, @last, @key, block params,
// the parent's data, the else block) must render as Handlebars' own #each
// renders it, and the loop stays bound by the render's limits.
import * as handlebarsModule from 'handlebars';
import { describe, expect, it } from 'vitest';
import { eachOfArray } from '../../src/template/each-array.js';
import { compileTemplateSource, renderTemplate } from '../../src/template/engine.js';
import { createBudget, DEFAULT_RENDER_LIMITS } from '../../src/template/limits.js';
import { contextOf } from './template-support.js';

const Handlebars = (handlebarsModule as { default?: typeof handlebarsModule }).default ?? handlebarsModule;

let counter = 0;
const render = async (source: string, limits?: { timeoutMs?: number; maxOutput?: number }): Promise<string> =>
  (await renderTemplate(compileTemplateSource(source, `/tmp/switchyard-each-${counter++}.hbs`), contextOf({}, '/', limits ? { limits } : {}))).text;

/** The same template through a plain Handlebars, whose `split` is a plain String#split. */
const plain = (source: string): string => {
  const hb = Handlebars.create();
  hb.registerHelper('split', (text: string, sep: string) => text.split(sep));
  return hb.compile(source, { data: true, noEscape: true })({});
};

const cases = [
  '{{#each (split "a,b,c" ",")}}{{@index}}:{{@key}}:{{this}}{{#if @first}}F{{/if}}{{#if @last}}L{{/if}};{{/each}}',
  '{{#each (split "a,b,c" ",") as |item i|}}[{{i}}={{item}}]{{/each}}',
  '{{#each (split "a,b" ",")}}{{#each (split "x,y" ",")}}{{@../index}}.{{@index}}{{../this}}{{this}} {{/each}}{{/each}}',
  '{{#each (split "a,b" ",") as |outer o|}}{{#each (split "x,y" ",") as |inner n|}}{{o}}{{outer}}{{n}}{{inner}} {{/each}}{{/each}}',
  '{{#each (split "" ",")}}<{{this}}>{{else}}empty{{/each}}',
  '{{#each (split "a" ",")}}{{@root.missing}}{{this}}{{/each}}',
];

describe('#each over an array', () => {
  for (const source of cases) {
    it(`renders as Handlebars' own #each: ${source}`, async () => {
      expect(await render(source)).toBe(plain(source));
    });
  }

  it('skips holes and runs the else block for an empty array only, as Handlebars does', () => {
    const hb = Handlebars.create();
    const budget = createBudget(DEFAULT_RENDER_LIMITS);
    const options = (seen: string[]) => ({
      fn: Object.assign((value: unknown, o: { data?: Record<string, unknown> }) => `${String(o.data?.['index'])}${String(value)}${o.data?.['last'] ? '!' : ''}`, { blockParams: 0 }),
      inverse: () => 'E',
      data: { root: {}, seen },
    });
    const builtin = hb.helpers['each'] as (this: unknown, items: unknown, o: unknown) => string;
    for (const items of [[, , 'z'], [, ,], [], ['a', 'b']]) {
      expect(eachOfArray({}, items, options([]), budget)).toBe(builtin.call({}, items, options([])));
    }
  });

  it('stops a loop whose output passes the output limit, naming the loop', async () => {
    await expect(render('{{#each (seq 1 1000)}}xxxxxxxxxx{{/each}}', { maxOutput: 4096 })).rejects.toThrow(/each: the loop's output is larger than the output limit of 4KiB/);
  });

  it('counts a body that renders a number (a lone {{this}} over seq) against the output limit', async () => {
    expect(await render('{{#each (seq 1 3)}}{{this}}{{/each}}')).toBe('123');
    await expect(render('{{#each (seq 1 2000)}}{{this}}{{/each}}', { maxOutput: 4096 })).rejects.toThrow(/each: the loop's output is larger than the output limit of 4KiB/);
  });

  it('stops a loop that runs past the render timeout', async () => {
    await expect(render('{{#each (seq 1 100000)}}{{#each (seq 1 100000)}}x{{/each}}{{/each}}', { timeoutMs: 50 })).rejects.toThrow(/render took longer than 50 ms \(render timeout, --render-timeout\)/);
  });
});
