import { describe, expect, it } from 'vitest';
import { TemplateRenderError } from '../../src/template/errors.js';
import { validCidr, validHost, validHostPort, validPort, validServerName, validToken } from '../../src/template/validate.js';
import { TEMPLATE_FILE, renderError, renderText } from './template-support.js';

// Values someone with write access to the store might try, each with the
// value as the error message must quote it: JSON-quoted (a newline stays on
// one line as \n) and cut after 80 characters. Written out by hand, so the
// quoting is checked against something other than itself.
const INJECTIONS: Array<[string, string]> = [
  ['9001; } server { listen 80', '"9001; } server { listen 80"'],
  [
    '127.0.0.1:9001; } server { listen 80; root /; } upstream x { server 127.0.0.1:9001',
    '"127.0.0.1:9001; } server { listen 80; root /; } upstream x { server 127.0.0.1:90…"',
  ],
  ['127.0.0.1:9001\nserver evil 10.6.6.6:80', '"127.0.0.1:9001\\nserver evil 10.6.6.6:80"'],
  ['127.0.0.1:9001 backup', '"127.0.0.1:9001 backup"'],
  ['127.0.0.1:9001 #', '"127.0.0.1:9001 #"'],
  ['$host:80', '"$host:80"'],
  ['"a":80', '"\\"a\\":80"'],
  ['a{b}:80', '"a{b}:80"'],
  ['127.0.0.1:80;', '"127.0.0.1:80;"'],
  ['evil.com/x:80', '"evil.com/x:80"'],
  ['[::1]:80]:80', '"[::1]:80]:80"'],
];

describe('hostPort', () => {
  it('emits valid host:port values, canonically', async () => {
    const values = { '/a': 'web-1.example.com:8080', '/b': '10.0.0.1:0080', '/c': '[::1]:9001', '/d': '  10.0.0.2:80\n', '/e': 'db_1.internal.:5432' };
    expect(await renderText('{{hostPort "/a"}} {{hostPort "/b"}} {{hostPort "/c"}} {{hostPort "/d"}} {{hostPort "/e"}}', values)).toBe(
      'web-1.example.com:8080 10.0.0.1:80 [::1]:9001 10.0.0.2:80 db_1.internal.:5432',
    );
  });

  it.each(INJECTIONS)('refuses %j, naming the key and the value quoted as %s', async (value, quoted) => {
    const err = await renderError('upstream app {\n  server {{hostPort "/blue/addr"}};\n}', { '/app/blue/addr': value }, '/app');
    expect(err).toBeInstanceOf(TemplateRenderError);
    expect((err as TemplateRenderError).key).toBe('/blue/addr');
    expect(err.message).toContain(`${TEMPLATE_FILE}:2:10: hostPort: key "/blue/addr" (/app/blue/addr): value ${quoted} is not host:port`);
    expect(err.message).not.toContain('\n');
  });

  it.each(['10.0.0.1', '10.0.0.1:', ':80', '10.0.0.1:65536', '10.0.0.1:0', '::1:80', 'fe80::1%eth0', '[fe80::1%eth0]:80', '10.0.0.256:80', '-bad.example.com:80', 'a..b:80', `${'a'.repeat(64)}.com:80`])(
    'refuses the malformed %j',
    (value) => {
      expect(validHostPort(value)).toBeUndefined();
    },
  );

  it('uses a default only when the key is missing, and checks it too', async () => {
    expect(await renderText('{{hostPort "/nope" "127.0.0.1:9001"}}')).toBe('127.0.0.1:9001');
    expect((await renderError('{{hostPort "/nope" "x; y"}}')).message).toContain('value "x; y" is not host:port');
    expect((await renderError('{{hostPort "/nope"}}')).message).toContain('hostPort: key "/nope" (/nope) not found');
  });

  it('hostPorts checks every matching key and names the bad one', async () => {
    const values = { '/up/a': '10.0.0.1:80', '/up/b': '10.0.0.2:81' };
    expect(await renderText('{{#each (hostPorts "/up/*")}}server {{this}};{{/each}}', values)).toBe('server 10.0.0.1:80;server 10.0.0.2:81;');
    const err = await renderError('{{#each (hostPorts "/up/*")}}{{this}}{{/each}}', { ...values, '/up/c': '10.0.0.3:80; }' });
    expect((err as TemplateRenderError).key).toBe('/up/c');
    expect(err.message).toContain('key "/up/c" (/up/c): value "10.0.0.3:80; }" is not host:port');
  });
});

describe('port and host', () => {
  it('port accepts 1-65535 only', async () => {
    expect(await renderText('{{port "/p"}}', { '/p': '9001' })).toBe('9001');
    for (const bad of ['0', '65536', '80;', '80 80', '-1', '1e3', '', '9001; } server { listen 80']) {
      expect(validPort(bad)).toBeUndefined();
    }
    expect((await renderError('listen {{port "/p"}};', { '/p': '80; include /etc/shadow' })).message).toBe(
      `${TEMPLATE_FILE}:1:8: port: key "/p" (/p): value "80; include /etc/shadow" is not a port number (1-65535)`,
    );
  });

  it('host accepts names and addresses, bracketing IPv6 for ":port"', async () => {
    expect(validHost('example.com')).toBe('example.com');
    expect(validHost('10.1.2.3')).toBe('10.1.2.3');
    expect(validHost('::1')).toBe('[::1]');
    expect(validHost('[2001:db8::1]')).toBe('[2001:db8::1]');
    for (const bad of ['10.1.2.300', 'a b', 'a;b', 'exa$mple', 'a/b', '', '.', 'x..y']) expect(validHost(bad)).toBeUndefined();
    expect(await renderText('proxy_pass http://{{host "/h"}}:{{port "/p"}};', { '/h': '::1', '/p': '80' })).toBe('proxy_pass http://[::1]:80;');
  });
});

describe('other proxy-safe helpers', () => {
  it('ip, cidr, serverName, token, duration', async () => {
    const values = { '/ip': '[fd00::1]', '/net': '10.0.0.0/8', '/names': ' *.example.com ', '/t': 'app_v2', '/d': '30s' };
    expect(await renderText('{{ip "/ip"}} {{cidr "/net"}} {{serverName "/names"}} {{token "/t"}} {{duration "/d"}}', values)).toBe(
      'fd00::1 10.0.0.0/8 *.example.com app_v2 30s',
    );
    expect(validCidr('10.0.0.0/33')).toBeUndefined();
    expect(validCidr('fd00::/129')).toBeUndefined();
    expect(validServerName('~^(www\\.)?(.+)$')).toBeUndefined();
    expect(validServerName('a.com; return 200')).toBeUndefined();
    expect(validServerName('www.example.*')).toBe('www.example.*');
    expect(validServerName('a.com b.com')).toBeUndefined();
    expect(validHostPort('0x7f.0.0.1:80')).toBeUndefined();
    expect(validHostPort('127.1:80')).toBeUndefined();
    expect(validHostPort('127.0.0.1:80')).toBe('127.0.0.1:80');
    expect(validToken('a b')).toBeUndefined();
    expect(validToken('$request_uri')).toBeUndefined();
    expect((await renderError('{{duration "/d"}}', { '/d': '5s;' })).message).toContain('is not a duration');
  });

  it('int checks a range given as min= and max=', async () => {
    expect(await renderText('weight={{int "/w" min=1 max=256}}', { '/w': '10' })).toBe('weight=10');
    expect((await renderError('{{int "/w" min=1 max=256}}', { '/w': '0' })).message).toContain('value "0" is not an integer in range [1..256]');
    expect((await renderError('{{int "/w"}}', { '/w': '1 backup' })).message).toContain('is not an integer');
  });

  it('safe* variants check values already in hand, such as service fields', async () => {
    expect(await renderText('{{safeHostPort "10.0.0.1" 8080}} {{safeHostPort "::1" "80"}} {{safeHostPort "a.example.com:1"}} {{safePort 443}} {{safeHost "h"}}')).toBe(
      '10.0.0.1:8080 [::1]:80 a.example.com:1 443 h',
    );
    expect((await renderError('{{safeHostPort "10.0.0.1; }" 80}}')).message).toBe(`${TEMPLATE_FILE}:1:1: safeHostPort: host value "10.0.0.1; }" is not a hostname, IPv4 or IPv6 address`);
    expect((await renderError('{{safeHostPort "10.0.0.1" "80 backup"}}')).message).toContain('port value "80 backup" is not a port number');
    expect((await renderError('{{safeToken "a;b"}}')).message).toContain('safeToken: value "a;b" is not a single word');
  });

  it('a field named like a helper still reads the field inside a loop', async () => {
    const values = { '/s': '[{"host":"h1","port":1,"ip":"10.0.0.1"}]' };
    expect(await renderText('{{#each (jsonArray (getv "/s"))}}{{host}} {{port}} {{ip}}{{/each}}', values)).toBe('h1 1 10.0.0.1');
    expect((await renderError('{{#each (jsonArray (getv "/s"))}}{{token}}{{/each}}', values)).message).toContain('token: expects KEY [DEFAULT], got 0 arguments');
  });
});
