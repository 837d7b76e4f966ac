// Loop bodies of text and plain reads render an item without Handlebars'
// runtime (loop-bodies.ts). Whatever they render must be what Handlebars
// renders for the same body and item; an item they cannot render exactly
// must be left to the compiled body.
import * as handlebarsModule from 'handlebars';
import { describe, expect, it } from 'vitest';
import { handlebars } from '../../src/template/environment.js';
import { KEY_PAIR_FIELDS, KeyPair } from '../../src/template/key-view.js';
import { findLoopBodies, type LoopBody } from '../../src/template/loop-bodies.js';
import { renderText } from './template-support.js';

const Handlebars = (handlebarsModule as { default?: typeof handlebarsModule }).default ?? handlebarsModule;
const isHelper = (name: string): boolean => (handlebars.helpers as Record<string, unknown>)[name] != null;

/** The one loop body of `{{#each items}}BODY{{/each}}`, if it qualifies. */
const bodyOf = (body: string): LoopBody | undefined => {
  const source = `{{#each items}}${body}{{/each}}`;
  return findLoopBodies(handlebars.parse(source), isHelper).get('1:0');
};

/** What plain Handlebars renders for one item, as switchyard compiles and runs templates. */
const plain = (body: string, item: unknown): string =>
  Handlebars.create().compile(`{{#each items}}${body}{{/each}}`, { data: true, noEscape: true })({ items: [item] }, { allowedProtoProperties: KEY_PAIR_FIELDS });

const BODIES = ['{{key}}={{value}}\n', '    server {{this}};\n', '{{.}}|{{this}}', '<{{this.key}}>', '{{! a note }}{{key}}', '{{{value}}} {{~ key ~}} x', '{{value}}{{key}}', '[{{Key}}]'];

const ITEMS: [string, unknown][] = [
  ['a string', '10.0.0.1:80'],
  ['a number', 5],
  ['a boolean', false],
  ['null', null],
  ['undefined', undefined],
  ['an object', { key: 'k', value: 'v', Key: 'K' }],
  ["an object of numbers and booleans", { key: 0, value: true, Key: -1.5 }],
  ["an object of strings and a number", { key: "k", value: 7 }],
  ['an object with a null field', { key: null, value: 'v' }],
  ['an empty object', {}],
  ['an inherited field', Object.create({ key: 'inherited', value: 'too' }) as unknown],
  ['a field that is a function', { key: () => 'called', value: 'v' }],
  ['a field that is an object', { key: { toString: () => 'obj' }, value: 'v' }],
  ['a key pair', new KeyPair('/a/b', '10.0.0.2:80')],
  ['a function', () => 'fn'],
  ['an array', ['x', 'y']],
];

describe('loop bodies rendered without the runtime', () => {
  for (const body of BODIES) {
    it(`render what Handlebars renders, or leave the item to it: ${JSON.stringify(body)}`, () => {
      const fast = bodyOf(body);
      expect(fast).toBeDefined();
      let rendered = 0;
      for (const [, item] of ITEMS) {
        const text = fast?.(item);
        if (text === undefined) continue;
        rendered++;
        expect(text, `item ${JSON.stringify(item)}`).toBe(plain(body, item));
      }
      expect(rendered).toBeGreaterThan(0);
    });
  }

  it('render the items gets and getvs give', () => {
    expect(bodyOf('{{key}}={{value}}\n')?.(new KeyPair('/k1', 'v1'))).toBe('/k1=v1\n');
    expect(bodyOf('    server {{this}};\n')?.('10.0.0.1:80')).toBe('    server 10.0.0.1:80;\n');
  });

  it('leave to Handlebars what reads more than the item: helpers, data, parents, block params, blocks, partials', () => {
    for (const body of ['{{port}}', '{{@index}}', '{{../x}}', '{{upper key}}', '{{#if key}}x{{/if}}', '{{> part}}', '{{"literal"}}', '{{key.sub}}', '{{constructor}}', '{{lookup . "key"}}']) {
      expect(bodyOf(body), body).toBeUndefined();
    }
    expect(findLoopBodies(handlebars.parse('{{#each items as |x|}}{{x}}{{/each}}'), isHelper).size).toBe(0);
    expect(findLoopBodies(handlebars.parse('{{#each items key="v"}}{{x}}{{/each}}'), isHelper).size).toBe(0);
  });

  it('render through the engine as Handlebars does, items it leaves to the compiled body included', async () => {
    const values = { '/s/a': '1', '/s/b': '2' };
    expect(await renderText('{{#each (gets "/s/*")}}{{key}}={{value}};{{Key}}{{/each}}|{{#each (getvs "/s/*")}}<{{this}}>{{/each}}', values)).toBe(
      '/s/a=1;/s/a/s/b=2;/s/b|<1><2>',
    );
    // A field named as a helper is the helper unless the item has that field (switchyard's rule, not a loop body's).
    expect(await renderText('{{#each (split "a,b" ",")}}[{{this}}]{{/each}}')).toBe('[a][b]');
  });
});
