import { describe, expect, it } from 'vitest';
import { compileTemplateSource } from '../../src/template/engine.js';
import { TemplateRenderError } from '../../src/template/errors.js';
import { TEMPLATE_FILE, renderError, renderText } from './template-support.js';

// What the shipped HAProxy and nginx examples do with the helper.
const HAPROXY = '{{#with (bluegreen "/")}}{{#each servers}}server {{color}} {{addr}} weight {{weight}}\n{{/each}}{{/with}}';
const NGINX = '{{#with (bluegreen "/")}}{{#each servers}}server {{addr}}{{#if weight}} weight={{weight}}{{else}} down{{/if}};\n{{/each}}{{/with}}';

const app = (extra: Record<string, string> = {}): Record<string, string> => ({
  '/web/live': 'blue',
  '/web/blue/addr': '127.0.0.1:9001',
  '/web/green/addr': '127.0.0.1:9002',
  ...extra,
});

describe('bluegreen DIR', () => {
  it('without weight keys: live 100, the other 0 (the idle server is out)', async () => {
    expect(await renderText(HAPROXY, app(), '/web')).toBe('server blue 127.0.0.1:9001 weight 100\nserver green 127.0.0.1:9002 weight 0\n');
    expect(await renderText(NGINX, app({ '/web/live': 'green' }), '/web')).toBe('server 127.0.0.1:9001 down;\nserver 127.0.0.1:9002 weight=100;\n');
    expect(await renderText('{{#with (bluegreen "/")}}{{live}} {{idle}} {{weighted}} {{blue.weight}} {{green.addr}}{{/with}}', app(), '/web')).toBe(
      'blue green false 100 127.0.0.1:9002',
    );
  });

  it('with weights 10/90, from a DIR below the prefix', async () => {
    const values = { '/apps/web/live': 'blue', '/apps/web/blue/addr': '127.0.0.1:9001', '/apps/web/green/addr': '10.0.0.2:80', '/apps/web/weight/blue': '90', '/apps/web/weight/green': '10' };
    expect(await renderText(NGINX.replace('"/"', '"/web"'), values, '/apps')).toBe('server 127.0.0.1:9001 weight=90;\nserver 10.0.0.2:80 weight=10;\n');
    expect(await renderText('{{#with (bluegreen "/web")}}{{weighted}}{{/with}}', values, '/apps')).toBe('true');
  });

  it('one weight key alone: the other color gets the rest of 100', async () => {
    expect(await renderText(HAPROXY, app({ '/web/weight/green': '25' }), '/web')).toBe('server blue 127.0.0.1:9001 weight 75\nserver green 127.0.0.1:9002 weight 25\n');
  });

  it('a color without addr is left out while its weight is 0, and is an error once it gets traffic', async () => {
    const { '/web/green/addr': _, ...noGreen } = app();
    expect(await renderText(HAPROXY, noGreen, '/web')).toBe('server blue 127.0.0.1:9001 weight 100\n');
    const err = await renderError(HAPROXY, { ...noGreen, '/web/weight/green': '10', '/web/weight/blue': '90' }, '/web');
    expect(err.message).toContain('bluegreen: key "/green/addr" (/web/green/addr) not found under the prefix /web');
  });

  it.each([
    ['-5', '"-5"'],
    ['101', '"101"'],
    ['12.5', '"12.5"'],
    ['50; server evil 10.6.6.6:80', '"50; server evil 10.6.6.6:80"'],
  ])('refuses the weight %j, naming the key and the value', async (weight, quoted) => {
    const message = `bluegreen: key "/weight/blue" (/web/weight/blue): value ${quoted} is not an integer in range [0..100]`;
    const err = await renderError(HAPROXY, app({ '/web/weight/blue': weight, '/web/weight/green': '50' }), '/web');
    expect(err).toBeInstanceOf(TemplateRenderError);
    expect((err as TemplateRenderError).key).toBe('/weight/blue');
    expect(err.message).toContain(`${TEMPLATE_FILE}:1:9: ${message}`);
  });

  it('refuses weights that do not sum to 100', async () => {
    const err = await renderError(HAPROXY, app({ '/web/weight/blue': '50', '/web/weight/green': '60' }), '/web');
    expect(err.message).toContain('bluegreen: weights /web/weight/blue = "50" and /web/weight/green = "60" sum to 110, not 100');
  });

  it('refuses a live that is not a color, a missing live and a hostile addr', async () => {
    expect((await renderError(HAPROXY, app({ '/web/live': 'red' }), '/web')).message).toContain('bluegreen: key "/live" (/web/live): value "red" is not blue or green');
    const { '/web/live': _, ...noLive } = app();
    expect((await renderError(HAPROXY, noLive, '/web')).message).toContain('bluegreen: key "/live" (/web/live) not found');
    const err = await renderError(NGINX, app({ '/web/green/addr': '9002; } server { listen 80' }), '/web');
    expect(err.message).toContain('bluegreen: key "/green/addr" (/web/green/addr): value "9002; } server { listen 80" is not host:port');
  });

  it('its literal DIR is the key a resource without keys reads', () => {
    expect(compileTemplateSource(HAPROXY.replace('"/"', '"/web"'), '/tmp/infer-bluegreen.hbs').inferred.keys).toEqual(['/web']);
  });
});
