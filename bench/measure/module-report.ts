// Reads a module trace (see module-trace.ts): which files and packages a run
// loaded, and the import chain that first pulled a package in.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Edge {
  from: string | null;
  to: string;
}

export interface ModuleReport {
  /** Every distinct file loaded (builtins excluded). */
  files: string[];
  /** Files under node_modules. */
  dependencyFiles: string[];
  /** Package name → number of its files loaded. */
  packages: Map<string, number>;
  /** For each of our files that imports `pkg` directly: entry → … → that file → pkg (paths relative to root). */
  chainsTo(pkg: string): string[][];
}

const toPath = (id: string): string | undefined => {
  if (id.startsWith('node:') || !id.includes('/')) return undefined;
  return id.startsWith('file:') ? fileURLToPath(id) : id;
};

/** "…/node_modules/@grpc/grpc-js/build/src/x.js" → "@grpc/grpc-js". */
export const packageOf = (file: string): string | undefined => {
  const at = file.lastIndexOf('/node_modules/');
  if (at < 0) return undefined;
  const parts = file.slice(at + '/node_modules/'.length).split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1] ?? ''}` : parts[0];
};

export const readModuleTrace = (traceFile: string, root: string): ModuleReport => {
  const edges = readFileSync(traceFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Edge)
    .map((e) => ({ from: e.from === null ? undefined : toPath(e.from), to: toPath(e.to) }))
    .filter((e): e is { from: string | undefined; to: string } => e.to !== undefined);

  // The first importer of each file is the link that loaded it.
  const firstParent = new Map<string, string | undefined>();
  for (const e of edges) if (!firstParent.has(e.to)) firstParent.set(e.to, e.from);
  const files = [...firstParent.keys()];
  const dependencyFiles = files.filter((f) => packageOf(f) !== undefined);
  const packages = new Map<string, number>();
  for (const f of dependencyFiles) {
    const pkg = packageOf(f) ?? '';
    packages.set(pkg, (packages.get(pkg) ?? 0) + 1);
  }

  const chainOf = (file: string): string[] => {
    const chain: string[] = [];
    const seen = new Set<string>();
    for (let at: string | undefined = file; at && !seen.has(at); at = firstParent.get(at)) {
      seen.add(at);
      const owner = packageOf(at);
      chain.unshift(owner ? `${owner} (${relative(root, at)})` : relative(root, at));
    }
    return chain;
  };

  // Each of our own files that imports the package directly is one way in.
  const chainsTo = (pkg: string): string[][] => {
    const importers = new Set<string>();
    for (const e of edges) if (e.from && packageOf(e.from) === undefined && packageOf(e.to) === pkg) importers.add(e.from);
    return [...importers].map((importer) => {
      const target = edges.find((e) => e.from === importer && packageOf(e.to) === pkg)?.to ?? importer;
      return [...chainOf(importer), `${pkg} (${relative(root, target)})`];
    });
  };
  return { files, dependencyFiles, packages, chainsTo };
};
