// consul-template's functions that confd lacks, under their own names where
// they do not clash, for templates converted by `switchyard migrate`.
// Store keys are paths ("/app/port"); consul-template writes them without
// the leading slash, which the key helpers accept too.
import type { CatalogService, ServiceInstance } from '../../backends/backend.js';
import { normalizeKey } from '../../backends/keys.js';
import { asList, asString, expectArity } from '../args.js';
import { HelperError } from '../errors.js';
import type { HelperScope, HelperTable } from '../state.js';
import { netHelpers } from './net.js';

/** A consul-template KeyPair: Key relative to the listed prefix, Path the store key. */
interface CtPair { key: string; value: string; path: string }

const withGoNames = <T extends object>(value: T, names: Record<string, keyof T>): T => {
  for (const [goName, field] of Object.entries(names)) Object.defineProperty(value, goName, { value: value[field] });
  return value;
};

const ctPair = (pair: CtPair): CtPair => withGoNames(pair, { Key: 'key', Value: 'value', Path: 'path' });

// Every key below dir, with its key relative to dir (nested keys keep their "/").
const below = ({ state }: HelperScope, dir: string): CtPair[] => {
  const base = normalizeKey(dir);
  const pairs: CtPair[] = [];
  for (const [key, value] of state.view.values) {
    if (key === base || !(base === '/' || key.startsWith(`${base}/`))) continue;
    pairs.push({ key: key.slice(base === '/' ? 1 : base.length + 1), value, path: state.view.fullKey(key).slice(1) });
  }
  return pairs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map(ctPair);
};

/** consul-template's service query: [tag.]name[@dc][|filter,...]. */
export const parseServiceQuery = (query: string): { name: string; tag?: string } => {
  const m = /^(?:([^.@|]+)\.)?([^.@|]+)(?:@([^|]+))?(?:\|(.*))?$/.exec(query);
  if (!m) throw new HelperError(`invalid service query ${JSON.stringify(query)}`);
  const [, tag, name = '', dc, filter] = m;
  if (dc !== undefined) throw new HelperError(`service ${JSON.stringify(query)}: another datacenter (@${dc}) is not supported`);
  if (filter !== undefined && filter.split(',').some((f) => f.trim() !== 'passing')) {
    throw new HelperError(`service ${JSON.stringify(query)}: only passing instances can be read (filter |${filter})`);
  }
  return tag === undefined ? { name } : { name, tag };
};

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Sorted tags that print as Go prints a []string (`[a b]`) when a template writes them out whole. */
const goTags = (tags: readonly string[]): string[] => {
  const sorted = [...tags].sort(compareText);
  Object.defineProperty(sorted, 'toString', { value: () => `[${sorted.join(' ')}]` });
  return sorted;
};

const SERVICE_GO_NAMES = { Address: 'address', Port: 'port', ID: 'id', Name: 'name', Node: 'node', Tags: 'tags', ServiceMeta: 'meta' } as const;

// As consul-template lists them: by node, then ID; each instance's tags sorted.
const asConsulTemplate = (instances: ServiceInstance[]): ServiceInstance[] =>
  instances
    .map((i) => withGoNames({ ...i, tags: goTags(i.tags) }, SERVICE_GO_NAMES))
    .sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

// As consul-template's `services` lists them: by name, each one's tags sorted.
const asCatalogSnippets = (list: readonly CatalogService[]): CatalogService[] =>
  list
    .map((s) => withGoNames({ name: s.name, tags: goTags(s.tags) }, { Name: 'name', Tags: 'tags' } as const))
    .sort((a, b) => compareText(a.name, b.name));

const GO_REPLACEMENT = /\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))|\$\$/g;

/** Go's regexp replacement template ($1, ${1}, ${name}, $$) applied to one match. */
const expandGo = (template: string, match: RegExpMatchArray): string =>
  template.replace(GO_REPLACEMENT, (whole, braced: string | undefined, bare: string | undefined) => {
    if (whole === '$$') return '$';
    const name = braced ?? bare ?? '';
    const group = /^[0-9]+$/.test(name) ? match[Number(name)] : match.groups?.[name];
    return group ?? '';
  });

const goRegexp = (re: string): RegExp => {
  try {
    // Go's (?P<name>…) is JavaScript's (?<name>…).
    return new RegExp(re.replace(/\(\?P</g, '(?<'), 'gu');
  } catch (err) {
    throw new HelperError(`invalid regular expression ${JSON.stringify(re)}: ${(err as Error).message}`, undefined, { cause: err });
  }
};

/** Objects rebuilt with their keys in order: Go ranges over a map in key order. */
const sortKeys = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
};

/** Go's json.Marshal: object keys sorted, <, > and & escaped. */
export const goJson = (value: unknown): string => {
  const text = JSON.stringify(sortKeys(value)) ?? 'null';
  return text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
};

export const consulTemplateHelpers: HelperTable = {
  /** Every key below DIR (consul-template's tree). */
  tree: (scope, args) => {
    expectArity(args, 1, 1, 'DIR');
    return below(scope, asString(args[0], 'DIR'));
  },
  /** The keys directly below DIR (consul-template's ls). */
  lsPairs: (scope, args) => {
    expectArity(args, 1, 1, 'DIR');
    return below(scope, asString(args[0], 'DIR')).filter((p) => !p.key.includes('/'));
  },
  consulService: (scope, args) => {
    expectArity(args, 1, 1, 'QUERY');
    const { name, tag } = parseServiceQuery(asString(args[0], 'QUERY'));
    const found = (netHelpers['service'] as NonNullable<HelperTable['service']>)(scope, [name]) as ServiceInstance[];
    return asConsulTemplate(tag === undefined ? found : found.filter((i) => i.tags.includes(tag)));
  },
  /** consul-template's `services`: every service in the catalog with its tags. */
  consulServices: ({ state }, args) => {
    expectArity(args, 0, 0, 'no arguments');
    state.serviceList.asked = true;
    if (state.known.serviceList) return asCatalogSnippets(state.known.serviceList);
    state.serviceList.missing = true;
    return [];
  },
  byTag: (_scope, args) => {
    expectArity(args, 1, 1, 'SERVICES');
    const groups = new Map<string, unknown[]>();
    for (const item of asList(args[0], 'SERVICES')) {
      const tags = (item as { tags?: unknown }).tags;
      for (const tag of Array.isArray(tags) ? (tags as unknown[]) : []) {
        const key = asString(tag, 'tag');
        groups.set(key, [...(groups.get(key) ?? []), item]);
      }
    }
    // Go ranges over a map in key order.
    return Object.fromEntries([...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  },
  in: (_scope, args) => {
    expectArity(args, 2, 2, 'LIST VALUE');
    const [list, value] = args;
    if (typeof list === 'string') return list.includes(asString(value, 'VALUE'));
    return asList(list, 'LIST').some((item) => item === value || String(item) === String(value));
  },
  splitTrimmed: (_scope, args) => {
    expectArity(args, 2, 2, 'STRING SEP');
    const s = asString(args[0], 'STRING').trim();
    const sep = asString(args[1], 'SEP');
    return s === '' ? [] : sep === '' ? Array.from(s) : s.split(sep);
  },
  trimSpace: (_scope, args) => {
    expectArity(args, 1, 1, 'STRING');
    return asString(args[0], 'STRING').trim();
  },
  regexMatch: (_scope, args) => {
    expectArity(args, 2, 2, 'REGEXP STRING');
    return goRegexp(asString(args[0], 'REGEXP')).test(asString(args[1], 'STRING'));
  },
  regexReplaceAll: (_scope, args) => {
    expectArity(args, 3, 3, 'REGEXP REPLACEMENT STRING');
    const re = goRegexp(asString(args[0], 'REGEXP'));
    const [template, s] = [asString(args[1], 'REPLACEMENT'), asString(args[2], 'STRING')];
    let out = '';
    let last = 0;
    for (const match of s.matchAll(re)) {
      out += s.slice(last, match.index) + expandGo(template, match);
      last = match.index + match[0].length;
    }
    return out + s.slice(last);
  },
  toJSON: (_scope, args) => {
    expectArity(args, 1, 1, 'VALUE');
    return goJson(args[0]);
  },
  parseJSON: (_scope, args) => {
    expectArity(args, 1, 1, 'STRING');
    const text = asString(args[0], 'STRING');
    if (text === '') return {};
    try {
      return sortKeys(JSON.parse(text));
    } catch (err) {
      throw new HelperError(`invalid JSON: ${(err as Error).message}`, undefined, { cause: err });
    }
  },
  /** consul-template's env: the variable, or "" when unset. */
  env: (_scope, args) => {
    expectArity(args, 1, 1, 'NAME');
    return process.env[asString(args[0], 'NAME')] ?? '';
  },
};
