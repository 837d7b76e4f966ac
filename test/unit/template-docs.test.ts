import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ServiceInstance } from '../../src/backends/backend.js';
import { compileTemplateSource, renderTemplate } from '../../src/template/engine.js';
import { contextOf } from './template-support.js';

const DOC = new URL('../../docs/helpers.md', import.meta.url);
const blocks = [...readFileSync(DOC, 'utf8').matchAll(/```handlebars\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');

describe('docs/helpers.md', () => {
  it('has examples', () => {
    expect(blocks.length).toBeGreaterThan(5);
  });

  it.each(blocks.map((source, i) => [i, source]))('example %i compiles', (i, source) => {
    expect(() => compileTemplateSource(source, `docs/helpers.md#example-${i}`)).not.toThrow();
  });

  it('the nginx proxy-safe example renders with sane values', async () => {
    const source = blocks.find((b) => b.includes('proxy_read_timeout')) ?? '';
    const values = {
      '/app/live': 'blue', '/app/blue/addr': '127.0.0.1:9001', '/app/blue/weight': '5', '/app/canary/a': '10.0.0.9:9001',
      '/app/server_name': 'example.com', '/app/admin_net': '10.0.0.0/8',
    };
    const { text } = await renderTemplate(compileTemplateSource(source, 'docs-nginx'), contextOf(values, '/app'));
    expect(text).toContain('server 127.0.0.1:9001 weight=5;');
    expect(text).toContain('server 10.0.0.9:9001 weight=1;');
    expect(text).toContain('listen 80;');
    expect(text).toContain('server_name example.com;');
    expect(text).toContain('proxy_read_timeout 60s;');
  });

  it('the bluegreen example renders each color with its weight', async () => {
    const source = blocks.find((b) => b.includes('bluegreen')) ?? '';
    const values = { '/web/live': 'blue', '/web/blue/addr': '127.0.0.1:9001', '/web/green/addr': '127.0.0.1:9002', '/web/weight/green': '10' };
    const { text } = await renderTemplate(compileTemplateSource(source, 'docs-bluegreen'), contextOf(values, '/web'));
    expect(text).toContain('    server blue 127.0.0.1:9001 weight 90\n    server green 127.0.0.1:9002 weight 10\n');
    expect(text).toContain('    server 127.0.0.1:9001 weight=90;\n    server 127.0.0.1:9002 weight=10;\n');
  });

  it('the HAProxy example renders service instances and static servers', async () => {
    const source = blocks.find((b) => b.includes('backend web')) ?? '';
    const web: ServiceInstance = { id: 'web-1', name: 'web', address: '10.0.0.1', port: 8080, tags: [], meta: {}, node: 'n1' };
    const context = contextOf({ '/static/s1': '10.0.0.5:80' }, '/', { service: () => [web] });
    const { text } = await renderTemplate(compileTemplateSource(source, 'docs-haproxy'), context);
    expect(text).toContain('server web-1 10.0.0.1:8080 check');
    expect(text).toContain('server s1 10.0.0.5:80 check');
  });
});
