import { describe, expect, it } from 'vitest';
import { parseBuiltinCheck } from '../../src/proxies/builtin-check.js';
import { parseCheckFragmentArgs } from '../../src/proxies/check-fragment-args.js';
import { buildCommandLine } from '../../src/process/command.js';

const parse = (template: string) => parseBuiltinCheck(buildCommandLine(template, { src: '/etc/nginx/.x.stage', dest: '/etc/nginx/x.conf' }));

describe('in-process check-fragment', () => {
  it('recognises switchyard check-fragment, run directly or through node', () => {
    expect(parse('switchyard check-fragment nginx --config /etc/nginx/nginx.conf --staged {{src}} --dest {{dest}}')).toEqual({
      proxy: 'nginx',
      configs: ['/etc/nginx/nginx.conf'],
      staged: '/etc/nginx/.x.stage',
      dest: '/etc/nginx/x.conf',
      timeoutMs: 60_000,
    });
    expect(
      parse('/usr/bin/node /opt/switchyard/bin/switchyard check-fragment haproxy --config=/a.cfg --config /conf.d --staged {{src}} --dest {{dest}} --timeout 5 --bin /usr/sbin/haproxy'),
    ).toEqual({
      proxy: 'haproxy',
      configs: ['/a.cfg', '/conf.d'],
      staged: '/etc/nginx/.x.stage',
      dest: '/etc/nginx/x.conf',
      bin: '/usr/sbin/haproxy',
      timeoutMs: 5000,
    });
  });

  it.each([
    'nginx -t -c {{src}}',
    'switchyard check-fragment apache --config /a --staged {{src}} --dest {{dest}}',
    'switchyard check-fragment nginx --config /a --staged {{src}}',
    'switchyard check-fragment nginx --config /a --staged {{src}} --dest {{dest}} --unknown x',
    'switchyard check-fragment nginx --config /a --staged {{src}} --dest {{dest}} && echo ok',
    'switchyard render x --data y',
    'switchyard check-fragment nginx --config /a --staged {{src}} --dest {{dest}} --timeout 0',
    'switchyard check-fragment nginx --config /a --staged {{src}} --dest {{dest}} --dest /b',
  ])('leaves %s to run as a command', (template) => {
    expect(parse(template)).toBeUndefined();
  });
});

describe('check-fragment arguments', () => {
  it.each([
    [['nginx', '--config', '/a', '--staged', '/s'], '--dest is required'],
    [['apache', '--config', '/a', '--staged', '/s', '--dest', '/d'], 'expected the proxy, nginx or haproxy, got "apache"'],
    [['nginx', 'extra', '--config', '/a', '--staged', '/s', '--dest', '/d'], 'unexpected argument "extra"'],
    [['nginx', '--config', '/a', '--staged', '/s', '--dest', '/d', '--timeout', 'soon'], '--timeout: expected seconds > 0, got "soon"'],
    [['nginx', '--config', '/a', '--staged', '/s', '--dest', '/d', '--staged', '/t'], '--staged given more than once'],
    [['nginx', '--config', '/a', '--staged', '/s', '--dest'], '--dest needs a value'],
    [['nginx', '--confg', '/a'], 'unknown option --confg'],
  ])('refuses %j: %s', (args, message) => {
    expect(() => parseCheckFragmentArgs(args)).toThrow(message);
  });
});
