import { describe, expect, it } from 'vitest';
import type { ServiceInstance } from '../../src/backends/backend.js';
import { compileTemplateSource, renderTemplate } from '../../src/template/engine.js';
import { TemplateRenderError } from '../../src/template/errors.js';
import type { SrvRecord } from '../../src/template/dns.js';
import { TEMPLATE_FILE, contextOf } from './template-support.js';

const instance = (id: string, address: string, port: number): ServiceInstance => ({
  id, name: 'web', address, port, tags: ['v1'], meta: { zone: 'a' }, node: `node-${id}`,
});

/** A fetcher that records what it was asked. */
const fakeCatalog = (catalog: Record<string, ServiceInstance[]>) => {
  const asked: string[] = [];
  const fetchService = async (name: string): Promise<ServiceInstance[]> => {
    asked.push(name);
    return catalog[name] ?? [];
  };
  return { asked, fetchService };
};

const UPSTREAM = [
  'upstream web {',
  '{{#each (service "web")}}  server {{address}}:{{port}}; # {{id}} {{node}} {{tags.[0]}} {{meta.zone}}',
  '{{else}}  server 127.0.0.1:65535 down;',
  '{{/each}}',
  '}',
].join('\n');

describe('services', () => {
  it('fetches the services a template asks for, then renders again', async () => {
    const { asked, fetchService } = fakeCatalog({ web: [instance('w1', '10.0.0.1', 8080), instance('w2', '10.0.0.2', 8081)] });
    const template = compileTemplateSource(UPSTREAM, TEMPLATE_FILE);
    const result = await renderTemplate(template, contextOf({}, '/', { fetchService }));
    expect(result.text).toBe('upstream web {\n  server 10.0.0.1:8080; # w1 node-w1 v1 a\n  server 10.0.0.2:8081; # w2 node-w2 v1 a\n}');
    expect(result.services).toEqual(['web']);
    expect(result.missingServices).toEqual([]);
    expect(asked).toEqual(['web']);
  });

  it('consulServices: the service list fetched once, by name, tags sorted, printed as Go prints them', async () => {
    let fetched = 0;
    const fetchServiceList = async () => {
      fetched += 1;
      return [{ name: 'web', tags: ['v2', 'a'] }, { name: 'api', tags: [] }];
    };
    const source = '{{#each (consulServices)}}{{Name}}={{Tags}};{{/each}} {{#each (consulServices)}}{{name}} {{/each}}';
    const result = await renderTemplate(compileTemplateSource(source, TEMPLATE_FILE), contextOf({}, '/', { fetchServiceList }));
    expect(result.text).toBe('api=[];web=[a v2]; api web ');
    expect(result.serviceList).toBe(true);
    expect(fetched).toBe(1);
    const plain = await renderTemplate(compileTemplateSource(UPSTREAM, TEMPLATE_FILE), contextOf({}, '/', { fetchService: fakeCatalog({}).fetchService }));
    expect(plain.serviceList).toBeUndefined();
  });

  it('renders the {{else}} branch for a service without healthy instances', async () => {
    const { fetchService } = fakeCatalog({});
    const result = await renderTemplate(compileTemplateSource(UPSTREAM, TEMPLATE_FILE), contextOf({}, '/', { fetchService }));
    expect(result.text).toContain('server 127.0.0.1:65535 down;');
  });

  it('follows services named by other services, one pass each', async () => {
    const source = '{{#each (service "router")}}{{#each (service name)}}{{address}} {{/each}}{{/each}}';
    const router = { ...instance('r', '10.0.0.9', 1), name: 'backend' };
    const { asked, fetchService } = fakeCatalog({ router: [router], backend: [instance('b', '10.1.0.1', 2)] });
    const result = await renderTemplate(compileTemplateSource(source, TEMPLATE_FILE), contextOf({}, '/', { fetchService }));
    expect(result.text).toBe('10.1.0.1 ');
    expect(result.services).toEqual(['backend', 'router']);
    expect(asked).toEqual(['router', 'backend']);
  });

  it('prefers what the context already knows and fetches only the rest', async () => {
    const { asked, fetchService } = fakeCatalog({ api: [instance('a', '10.2.0.1', 3)] });
    const service = (name: string) => (name === 'web' ? [instance('w', '10.0.0.1', 80)] : undefined);
    const source = '{{#each (service "web")}}{{address}}{{/each}} {{#each (service "api")}}{{address}}{{/each}}';
    const result = await renderTemplate(compileTemplateSource(source, TEMPLATE_FILE), contextOf({}, '/', { service, fetchService }));
    expect(result.text).toBe('10.0.0.1 10.2.0.1');
    expect(asked).toEqual(['api']);
  });

  it('without a fetcher, returns the unanswered services to the caller', async () => {
    const result = await renderTemplate(compileTemplateSource(UPSTREAM, TEMPLATE_FILE), contextOf());
    expect(result.missingServices).toEqual(['web']);
  });

  it('lets a fetcher’s error through unchanged', async () => {
    const boom = new Error('consul at http://127.0.0.1:8500: unreachable');
    const fetchService = async (): Promise<ServiceInstance[]> => {
      throw boom;
    };
    await expect(renderTemplate(compileTemplateSource(UPSTREAM, TEMPLATE_FILE), contextOf({}, '/', { fetchService }))).rejects.toBe(boom);
  });

  it('gives up after a bounded number of passes', async () => {
    // Each pass asks for a service named after the previous answer: never settles.
    let n = 0;
    const fetchService = async (): Promise<ServiceInstance[]> => [{ ...instance(String(n), '10.0.0.1', 1), name: `s${++n}` }];
    const source = '{{#each (service "s0")}}{{#each (service name)}}{{#each (service name)}}{{#each (service name)}}{{#each (service name)}}{{#each (service name)}}x{{/each}}{{/each}}{{/each}}{{/each}}{{/each}}{{/each}}';
    const err = await renderTemplate(compileTemplateSource(source, TEMPLATE_FILE), contextOf({}, '/', { fetchService }), { maxPasses: 3 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemplateRenderError);
    expect((err as Error).message).toMatch(/still waiting for service "s\d" after 3 render passes/);
  });

  it('rejects an empty service name', async () => {
    await expect(renderTemplate(compileTemplateSource('{{service ""}}', TEMPLATE_FILE), contextOf())).rejects.toThrow('service: NAME must not be empty');
  });
});

describe('DNS lookups', () => {
  it('lookupIP resolves localhost through the system resolver, sorted', async () => {
    const template = compileTemplateSource('{{#each (lookupIP "localhost")}}{{this}};{{/each}}', TEMPLATE_FILE);
    const { text } = await renderTemplate(template, contextOf());
    const addresses = text.split(';').filter((a) => a !== '');
    expect(addresses).toContain('127.0.0.1');
    expect(addresses).toEqual([...addresses].sort());
  });

  it('lookupIP of a name that does not resolve is an empty list', async () => {
    const template = compileTemplateSource('{{#each (lookupIP "nonexistent.invalid")}}{{this}}{{else}}none{{/each}}', TEMPLATE_FILE);
    expect((await renderTemplate(template, contextOf())).text).toBe('none');
  });

  it('lookupSRV takes service, proto and name, and keeps confd’s field names', async () => {
    const asked: string[] = [];
    const record = (target: string, port: number): SrvRecord => ({
      Target: target, Port: port, Priority: 10, Weight: 5, target, port, priority: 10, weight: 5,
    });
    const resolvers = {
      lookupSRV: async (service: string, proto: string, name: string) => {
        asked.push(`${service}/${proto}/${name}`);
        return [record('a.example.com', 25), record('b.example.com', 2525)];
      },
    };
    const template = compileTemplateSource('{{#each (lookupSRV "mail" "tcp" "example.com")}}{{Target}}:{{Port}} {{priority}}/{{weight}};{{/each}}', TEMPLATE_FILE);
    const { text } = await renderTemplate(template, contextOf(), { resolvers });
    expect(text).toBe('a.example.com:25 10/5;b.example.com:2525 10/5;');
    expect(asked).toEqual(['mail/tcp/example.com']);
  });

  it('asks each question once, however often the template repeats it', async () => {
    let calls = 0;
    const resolvers = {
      lookupIP: async () => {
        calls++;
        return ['10.0.0.1'];
      },
    };
    const template = compileTemplateSource('{{#each (seq 1 3)}}{{#each (lookupIP "db")}}{{this}} {{/each}}{{/each}}', TEMPLATE_FILE);
    expect((await renderTemplate(template, contextOf(), { resolvers })).text).toBe('10.0.0.1 10.0.0.1 10.0.0.1 ');
    expect(calls).toBe(1);
  });
});
