// Loaded with `node --import` into a CLI run: records every module the run
// loads, with the module that asked for it, into $SWITCHYARD_MODULE_TRACE
// (one JSON edge per line). ESM imports are seen by a resolve hook; CommonJS
// requires inside packages by wrapping Module._load.
import { appendFileSync } from 'node:fs';
import * as nodeModule from 'node:module';

const out = process.env['SWITCHYARD_MODULE_TRACE'];
if (!out) throw new Error('SWITCHYARD_MODULE_TRACE must name the file to write the module trace to');

nodeModule.register(new URL('./module-trace-hooks.js', import.meta.url));

interface CjsLoader {
  _load(request: string, parent: { filename?: string } | undefined, isMain: boolean): unknown;
  _resolveFilename(request: string, parent: unknown): string;
}
const loader = nodeModule.Module as unknown as CjsLoader;
const edges: string[] = [];
const originalLoad = loader._load.bind(loader);
loader._load = (request, parent, isMain) => {
  const loaded = originalLoad(request, parent, isMain);
  try {
    edges.push(JSON.stringify({ from: parent?.filename ?? null, to: loader._resolveFilename(request, parent) }));
  } catch {
    // A request that only resolves in a way we cannot replay is not worth a trace line.
  }
  return loaded;
};
process.once('exit', () => {
  if (edges.length > 0) appendFileSync(out, edges.join('\n') + '\n');
});
