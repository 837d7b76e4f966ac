// Renders the example templates for the direct driver with the few helpers
// they use (getv, hostPort, getenv, eq), so the bench measures the proxies'
// reloads without depending on a running switchyard.
import { createRequire } from 'node:module';

// handlebars is CommonJS; require() gives its module.exports as typed.
const Handlebars = createRequire(import.meta.url)('handlebars') as typeof import('handlebars');

export type Keys = Record<string, string>;

/** Renders `text` (the template called `name` in messages). */
export const renderExample = (name: string, text: string, keys: Keys, env: Record<string, string>): string => {
  const hbs = Handlebars.create();
  const getv = (key: string, fallback?: unknown): string => {
    const value = keys[key] ?? (typeof fallback === 'string' ? fallback : undefined);
    if (value === undefined) throw new Error(`${name}: key ${key} is missing`);
    return value;
  };
  hbs.registerHelper('getv', (key: string, ...rest: unknown[]) => getv(key, rest.length > 1 ? rest[0] : undefined));
  hbs.registerHelper('hostPort', (key: string) => {
    const value = getv(key);
    if (!/^[\w.-]+:\d{1,5}$/.test(value)) throw new Error(`${name}: ${key} = ${JSON.stringify(value)} is not host:port`);
    return value;
  });
  hbs.registerHelper('getenv', (name: string, ...rest: unknown[]) => env[name] ?? (rest.length > 1 ? String(rest[0]) : ''));
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  return hbs.compile(text, { noEscape: true, strict: false })({});
};
