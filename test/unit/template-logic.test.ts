import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatGoTime } from '../../src/template/go-time.js';
import { renderError, renderText } from './template-support.js';

describe('comparison and logic', () => {
  it('eq and ne compare store strings with literals', async () => {
    const values = { '/live': 'blue', '/n': '3' };
    expect(await renderText('{{#if (eq (getv "/live") "blue")}}B{{else}}G{{/if}} {{eq (getv "/n") 3}} {{ne "a" "b"}} {{eq "a" "a"}}', values)).toBe('B true true true');
    expect(await renderText('{{eq 1 true}} {{eq "" 0}}')).toBe('false false');
  });

  it('lt and gt compare numbers as numbers, other strings as strings', async () => {
    expect(await renderText('{{lt "9" "10"}} {{gt 10 "9"}} {{lt "b" "a"}} {{gt "b" "a"}} {{lt 1 1}}')).toBe('true true false true false');
  });

  it('and, or, not follow Handlebars truthiness (empty lists are false)', async () => {
    expect(await renderText('{{and 1 "x" true}} {{and 1 ""}} {{or "" 0 "y"}} {{or "" (gets "/none/*")}} {{not ""}} {{not "x"}}')).toBe(
      'true false true false true false',
    );
  });

  it('work as blocks of their own', async () => {
    expect(await renderText('{{#eq "a" "a"}}same{{else}}diff{{/eq}} {{#ne "a" "a"}}x{{else}}y{{/ne}} {{#and 1 0}}x{{else}}y{{/and}}')).toBe('same y y');
  });

  it('default replaces only missing or empty values', async () => {
    expect(await renderText('{{default "" "80"}} {{default "81" "80"}} {{default 0 "80"}} {{default (gets "/x/*") "none"}}')).toBe('80 81 0 none');
  });

  it('check their arity', async () => {
    expect((await renderError('{{eq "a"}}')).message).toContain('eq: expects A B, got 1 argument');
    expect((await renderError('{{not}}')).message).toContain('not: expects A, got 0 arguments');
  });
});

describe('system helpers', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('getenv with and without a default; empty counts as unset', async () => {
    vi.stubEnv('SWITCHYARD_TEST_HOST', 'h1');
    vi.stubEnv('SWITCHYARD_TEST_EMPTY', '');
    expect(await renderText('{{getenv "SWITCHYARD_TEST_HOST"}} [{{getenv "SWITCHYARD_TEST_NOPE"}}] {{getenv "SWITCHYARD_TEST_EMPTY" "d"}} {{getenv "SWITCHYARD_TEST_HOST" "d"}}')).toBe(
      'h1 [] d h1',
    );
  });

  it('fileExists', async () => {
    expect(await renderText('{{fileExists "/etc/passwd"}} {{fileExists "/nonexistent/switchyard"}}')).toBe('true false');
  });

  it('parseBool accepts what strconv.ParseBool does', async () => {
    expect(await renderText('{{parseBool "true"}} {{parseBool "T"}} {{parseBool "1"}} {{parseBool "False"}} {{parseBool "0"}}')).toBe('true true true false false');
    expect((await renderError('{{parseBool "yes"}}')).message).toContain('parseBool: parsing "yes": invalid syntax');
  });

  it('datetime prints Go’s default format, or a Go layout', async () => {
    expect(await renderText('{{datetime}}')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? [+-]\d{4} \S+$/);
    expect(await renderText('{{datetime "2006"}}')).toBe(String(new Date().getFullYear()));
  });

  it('formats Go layouts', async () => {
    const date = new Date(2015, 0, 23, 13, 4, 5, 93);
    expect(formatGoTime(date, 'Jan 2, 2006 at 3:04pm')).toBe('Jan 23, 2015 at 1:04pm');
    expect(formatGoTime(date, '2006-01-02T15:04:05.000')).toBe('2015-01-23T13:04:05.093');
    expect(formatGoTime(date, 'Monday January _2 03:04:05.999 PM 06 002')).toBe('Friday January 23 01:04:05.093 PM 15 023');
    expect(formatGoTime(new Date(2015, 0, 2, 3, 4, 5, 0), '15:04:05.999|1/2')).toBe('03:04:05|1/2');
  });
});
