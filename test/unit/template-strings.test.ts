import { describe, expect, it } from 'vitest';
import { goReplace, goSplit } from '../../src/template/helpers/strings.js';
import { renderError, renderText } from './template-support.js';

describe('string helpers', () => {
  it('base and dir follow Go’s path package', async () => {
    expect(await renderText('{{base "/services/data/url"}} {{dir "/services/data/url"}} {{base "/a/b/"}} {{dir "a"}}')).toBe('url /services/data b .');
  });

  it('split and join', async () => {
    expect(await renderText('{{#with (split "10.0.0.1:80" ":")}}{{this.[0]}} {{this.[1]}}{{/with}}')).toBe('10.0.0.1 80');
    expect(await renderText('{{join (split "a,b,,c" ",") "|"}}')).toBe('a|b||c');
    expect(goSplit('héllo', '')).toEqual(['h', 'é', 'l', 'l', 'o']);
    expect(goSplit('', ',')).toEqual(['']);
    expect((await renderError('{{join "abc" ","}}')).message).toContain('join: LIST must be a list, got "abc"');
  });

  it('join accepts numbers in the list', async () => {
    expect(await renderText('{{join (seq 1 3) ","}}')).toBe('1,2,3');
  });

  it('replace is strings.Replace: n limits, -1 replaces all, n defaults to all', async () => {
    expect(await renderText('{{replace "a-b-c" "-" "_" -1}} {{replace "a-b-c" "-" "_" 1}} {{replace "a-b-c" "-" "_" 0}} {{replace "a-b-c" "-" "_"}}')).toBe(
      'a_b_c a_b-c a-b-c a_b_c',
    );
    expect(goReplace('abc', '', '-', -1)).toBe('-a-b-c-');
    expect(goReplace('abc', '', '-', 2)).toBe('-a-bc');
    expect(goReplace('', '', '-', -1)).toBe('-');
    expect(goReplace('aaaa', 'aa', 'b', -1)).toBe('bb');
  });

  it('contains, trimSuffix, toUpper, toLower', async () => {
    expect(await renderText('{{contains "nginx.conf" ".conf"}} {{contains "nginx" "x."}}')).toBe('true false');
    expect(await renderText('{{trimSuffix "app.conf.tmpl" ".tmpl"}} {{trimSuffix "app" ".tmpl"}} {{trimSuffix "x" ""}}')).toBe('app.conf app x');
    expect(await renderText('{{toUpper "Blue"}} {{toLower "GrEeN"}}')).toBe('BLUE green');
  });

  it('base64Encode and base64Decode, strict as Go', async () => {
    expect(await renderText('{{base64Encode "Value"}} {{base64Decode "VmFsdWU="}} {{base64Decode (base64Encode "é✓")}}')).toBe('VmFsdWU= Value é✓');
    expect((await renderError('{{base64Decode "VmFsdWU"}}')).message).toContain('base64Decode: illegal base64 data');
    expect((await renderError('{{base64Decode "Vm$sdWU="}}')).message).toContain('illegal base64 data');
  });

  it('refuses objects where strings are expected', async () => {
    expect((await renderError('{{toUpper (split "a" ",")}}')).message).toContain('toUpper: STRING must be a string, got a list');
  });
});

describe('data helpers', () => {
  it('json parses an object and jsonArray an array', async () => {
    const values = { '/d': '{"animals":[{"type":"dog","name":"Fido"},{"type":"cat","name":"Misse"}]}', '/l': '["a","b"]' };
    expect(await renderText('{{#with (json (getv "/d"))}}{{#each animals}}{{type}}={{name}};{{/each}}{{/with}}', values)).toBe('dog=Fido;cat=Misse;');
    expect(await renderText('{{#each (jsonArray (getv "/l"))}}{{this}}{{/each}}', values)).toBe('ab');
  });

  it('json and jsonArray reject the wrong shape and bad JSON', async () => {
    expect((await renderError('{{json "[1]"}}')).message).toContain('json: JSON value is not an object');
    expect((await renderError('{{jsonArray "{}"}}')).message).toContain('jsonArray: JSON value is not an array');
    expect((await renderError('{{json "{nope"}}')).message).toContain('json: invalid JSON');
    expect(await renderText('{{#each (jsonArray "null")}}x{{else}}none{{/each}}')).toBe('none');
  });

  it('map builds an object from pairs', async () => {
    expect(await renderText('{{#with (map "name" "es" "port" 9200)}}{{name}}:{{port}}{{/with}}')).toBe('es:9200');
    // "__proto__" stays an ordinary key: nothing leaks into Object.prototype.
    expect(await renderText('{{#with (map "__proto__" (map "polluted" "yes"))}}{{#with (lookup this "__proto__")}}{{polluted}}{{/with}}{{/with}}')).toBe('yes');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await renderError('{{map "a"}}')).message).toContain('map: expects KEY VALUE pairs');
    expect((await renderError('{{map 1 "a"}}')).message).toContain('map keys must be strings');
  });

  it('reverse, sortByLength and sortKVByLength', async () => {
    const values = { '/k/long': '1', '/k/a': '2', '/k/mid': '3' };
    expect(await renderText('{{join (reverse (split "a,b,c" ",")) ","}}')).toBe('c,b,a');
    expect(await renderText('{{join (sortByLength (split "ccc,a,bb,d" ",")) ","}}')).toBe('a,d,bb,ccc');
    expect(await renderText('{{#each (sortKVByLength (gets "/k/*"))}}{{key}};{{/each}}', values)).toBe('/k/a;/k/mid;/k/long;');
    expect(await renderText('{{#each (reverse (gets "/k/*"))}}{{key}};{{/each}}', values)).toBe('/k/mid;/k/long;/k/a;');
  });
});

describe('math helpers', () => {
  it('atoi reads decimal integers only', async () => {
    expect(await renderText('{{atoi "42"}} {{atoi "-7"}} {{atoi "+3"}}')).toBe('42 -7 3');
    for (const bad of ['4.2', ' 4', '0x10', '', '99999999999999999999']) {
      expect((await renderError(`{{atoi "${bad}"}}`)).message).toContain('invalid syntax');
    }
  });

  it('add, sub, mul, div (truncating) and mod, also on store strings', async () => {
    expect(await renderText('{{add 1 2}} {{sub 1 2}} {{mul 3 4}} {{div 7 2}} {{div -7 2}} {{mod 7 3}} {{mod -7 3}}')).toBe('3 -1 12 3 -3 1 -1');
    expect(await renderText('{{add (getv "/n") 1}}', { '/n': '9000' })).toBe('9001');
  });

  it('dividing by zero and non-integers are errors', async () => {
    expect((await renderError('{{div 1 0}}')).message).toContain('div: integer divide by zero');
    expect((await renderError('{{mod 1 0}}')).message).toContain('mod: integer divide by zero');
    expect((await renderError('{{add 1.5 1}}')).message).toContain('add: A must be an integer, got number 1.5');
    expect((await renderError('{{add "x" 1}}')).message).toContain('A must be an integer');
  });

  it('seq is inclusive, empty when reversed, and bounded', async () => {
    expect(await renderText('{{join (seq 1 5) " "}}|{{join (seq 3 3) " "}}|{{join (seq 5 1) " "}}')).toBe('1 2 3 4 5|3|');
    expect((await renderError('{{seq 1 100000000}}')).message).toContain('seq: would hold more than');
  });
});
