// Loop bodies of text and plain reads render an item without Handlebars'
// runtime (loop-bodies.ts). Whatever they render must be what Handlebars
// renders for the same body and item; an item they cannot render exactly
// must be left to the compiled body.
import * as handlebarsModule from 'handlebars';
import { describe, expect, it } from 'vitest';
import { identityMap } from '../../src/template/close-braces.js';
import { handlebars } from '../../src/template/environment.js';
import type { TemplateRenderError } from '../../src/template/errors.js';
import { allHelpers } from '../../src/template/helpers/index.js';
import { asPure } from '../../src/template/helpers/pure.js';
import { KEY_PAIR_FIELDS, KeyPair } from '../../src/template/key-view.js';
import { findLoopBodies } from '../../src/template/loop-bodies.js';
import type { ItemRenderer } from '../../src/template/state.js';
import { createPass } from '../../src/template/pass.js';
import { createRenderState, emptyAnswers } from '../../src/template/state.js';
import { contextOf, renderText } from './template-support.js';

const Handlebars = (handlebarsModule as { default?: typeof handlebarsModule }).default ?? handlebarsModule;
const isHelper = (name: string): boolean => (handlebars.helpers as Record<string, unknown>)[name] != null;

/** The one loop body of `{{#each items}}BODY{{/each}}`, if it qualifies, ready for the items of one render. */
const bodyOf = (body: string): ItemRenderer | undefined => {
  const source = `{{#each items}}${body}{{/each}}`;
  const state = createRenderState('/t.hbs', contextOf(), emptyAnswers(), identityMap);
  return findLoopBodies(handlebars.parse(source), { isHelper }).get('1:0')?.(state);
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
    expect(findLoopBodies(handlebars.parse('{{#each items as |x|}}{{x}}{{/each}}'), { isHelper }).size).toBe(0);
    expect(findLoopBodies(handlebars.parse('{{#each items key="v"}}{{x}}{{/each}}'), { isHelper }).size).toBe(0);
    // A name an enclosing block gives a parameter is that parameter, not a field of the item.
    expect(findLoopBodies(handlebars.parse('{{#each outer as |key|}}{{#each items}}{{key}}{{/each}}{{/each}}'), { isHelper }).size).toBe(0);
  });

  it('render through the engine as Handlebars does, items it leaves to the compiled body included', async () => {
    const values = { '/s/a': '1', '/s/b': '2' };
    expect(await renderText('{{#each (gets "/s/*")}}{{key}}={{value}};{{Key}}{{/each}}|{{#each (getvs "/s/*")}}<{{this}}>{{/each}}', values)).toBe(
      '/s/a=1;/s/a/s/b=2;/s/b|<1><2>',
    );
    // A field named as a helper is the helper unless the item has that field (switchyard's rule, not a loop body's).
    expect(await renderText('{{#each (split "a,b" ",")}}[{{this}}]{{/each}}')).toBe('[a][b]');
    // An enclosing block's parameter, not the pair's own `key`.
    expect(await renderText('{{#each (getvs "/o/*") as |key|}}{{#each (gets "/s/*")}}[{{key}}]{{/each}}{{/each}}', { '/o/a': 'OUTER', '/s/a': '1' })).toBe('[OUTER]');
  });
});

/** A render of `source` through the engine's compiled template, with its loop bodies or without them. */
const renderBoth = (source: string, values: Record<string, string>, limits?: { timeoutMs: number }) => {
  const fn = handlebars.compile(source, { data: true, noEscape: true }) as unknown as Parameters<typeof createPass>[1] extends () => infer F ? F : never;
  const bodies = findLoopBodies(handlebars.parse(source), { isHelper, pure: (name) => (Object.hasOwn(allHelpers, name) ? asPure(allHelpers[name]) : undefined) });
  const run = (withBodies: boolean): { text?: string; error?: { message: string; key?: string; line?: number; column?: number } } => {
    const pass = createPass('/t.hbs', () => fn, identityMap, withBodies ? bodies : new Map());
    try {
      return { text: pass({ ...contextOf(values), limits }, emptyAnswers()).text };
    } catch (err) {
      const { message, key, line, column } = err as TemplateRenderError;
      return { error: { message, key, line, column } };
    }
  };
  return { bodies: bodies.size, fast: run(true), compiled: run(false) };
};

// Values a store may hold for a server, good and bad, and JSON items of every kind.
const SERVER_VALUES = ['10.0.0.1:8080', 'web-1.example.com:80', '[::1]:9001', ' 10.0.0.2:80\n', '10.0.0.1:0080', '[10.0.0.3]:80', '10.0.0.1', '10.0.0.1:80; }', '', 'a b:1'];
const JSON_ITEMS = '["10.0.0.1:80", "x:1; y", 7, true, null, {"host":"h1","port":8080,"addr":"10.0.0.9:1"}, {"host":"h;2"}, {"port":"80"}, [1], {"host":null,"addr":"a:1"}]';

const CALL_BODIES = [
  '    server {{safeToken (base key)}} {{safeHostPort value}} check inter 1s\n',
  '{{safeHostPort this}};',
  '{{safeHostPort host port}}|{{safeHost host}}|{{safePort port}}',
  '{{toUpper (base (dir key))}}={{value}}',
  '{{safeToken "fixed"}}:{{safeInt 42}}:{{safePort 443}}:{{toLower true}}',
  '{{safeHostPort addr}} {{addr}}',
  '{{base64Encode value}}/{{safeDuration value}}',
];

describe('loop bodies that call pure helpers', () => {
  for (const body of CALL_BODIES) {
    it(`render and fail as the compiled body does: ${JSON.stringify(body)}`, () => {
      const cases: [string, Record<string, string>][] = [
        ...SERVER_VALUES.map((v, i): [string, Record<string, string>] => [`{{#each (gets "/s/*")}}${body}{{/each}}`, { '/s/a': '10.0.0.5:80', [`/s/n${i}`]: v }]),
        [`{{#each (jsonArray (getv "/j"))}}${body}{{/each}}`, { '/j': JSON_ITEMS }],
        [`{{#each (getvs "/s/*")}}${body}{{/each}}`, Object.fromEntries(SERVER_VALUES.map((v, i) => [`/s/${i}`, v]))],
      ];
      for (const [source, values] of cases) {
        const { bodies, fast, compiled } = renderBoth(source, values);
        expect(bodies, source).toBe(1);
        expect(fast, `${source} over ${JSON.stringify(values)}`).toEqual(compiled);
      }
    });
  }

  it('count each call as the compiled body does: the step that runs out of time names the same helper', () => {
    // Every 256th step looks at the clock; with the deadline already past, that step fails.
    const values = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`/s/k${String(i).padStart(3, '0')}`, `10.0.${i >> 8}.${i & 255}:80`]));
    for (const body of [CALL_BODIES[0] as string, '{{safeHostPort value}}', '{{base key}}{{toUpper (base key)}}']) {
      const { fast, compiled } = renderBoth(`{{#each (gets "/s/*")}}${body}{{/each}}`, values, { timeoutMs: -1 });
      expect(fast.error?.message).toMatch(/render took longer than -1 ms .* after 256 steps/);
      expect(fast).toEqual(compiled);
    }
  });

  it('name the template position of the call that failed', () => {
    const source = 'backend api\n{{#each (gets "/servers/*")}}\n    server {{safeToken (base key)}} {{safeHostPort value}} check\n{{/each}}';
    const { bodies, fast, compiled } = renderBoth(source, { '/servers/a': '10.0.0.1:80', '/servers/b;c': '10.0.0.2:80', '/servers/d': '10.0.0.3:80 backup' });
    expect(bodies).toBe(1);
    expect(fast.error?.message).toBe('/t.hbs:3:12: safeToken: value "b;c" is not a single word of letters, digits and . _ : / @ + = , -');
    expect(fast).toEqual(compiled);
    const later = renderBoth(source, { '/servers/a': '10.0.0.1:80', '/servers/d': '10.0.0.3:80 backup' });
    expect(later.fast.error?.message).toBe('/t.hbs:3:37: safeHostPort: value "10.0.0.3:80 backup" is not host:port (hostname, IPv4 or [IPv6], port 1-65535)');
    expect(later.fast).toEqual(later.compiled);
  });

  it('leave to Handlebars calls it would make differently: hashes, helpers that read keys, block params, no arguments', () => {
    const lookup = { isHelper, pure: (name: string) => (Object.hasOwn(allHelpers, name) ? asPure(allHelpers[name]) : undefined) };
    for (const body of ['{{safeInt value min=1}}', '{{getv key}}', '{{hostPort key}}', '{{safeToken @key}}', '{{safeToken ../x}}', '{{this.safeToken key}}', '{{safeToken (base)}}', '{{safeToken (getv key)}}', '{{toUpper key.sub}}']) {
      expect(findLoopBodies(handlebars.parse(`{{#each items}}${body}{{/each}}`), lookup).size, body).toBe(0);
    }
    expect(findLoopBodies(handlebars.parse('{{#each outer as |key|}}{{#each items}}{{base key}}{{/each}}{{/each}}'), lookup).size).toBe(0);
    expect(findLoopBodies(handlebars.parse('{{#each items}}{{base key}}{{/each}}'), lookup).size).toBe(1);
  });
});
