// The loader hook half of module-trace.ts: runs on the hooks thread and
// appends one {from, to} line per resolved ESM import.
import { appendFileSync } from 'node:fs';

interface ResolveContext {
  parentURL?: string;
}
interface ResolveResult {
  url: string;
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<ResolveResult>;

const out = process.env['SWITCHYARD_MODULE_TRACE'] ?? '/dev/null';

export const resolve = async (specifier: string, context: ResolveContext, next: NextResolve): Promise<ResolveResult> => {
  const result = await next(specifier, context);
  appendFileSync(out, JSON.stringify({ from: context.parentURL ?? null, to: result.url }) + '\n');
  return result;
};
