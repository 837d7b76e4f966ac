// The file backend against the shared contract: an outside writer edits the
// YAML document the way deploy tools do (write a temp file, rename it over),
// and a "restart" removes the document and writes it again.
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createFileBackend } from '../../src/backends/local/file.js';
import { silentLogger } from '../../src/log.js';
import { describeBackendContract } from '../contract/backend-contract.js';

/** Flat keys → nested document; a key that also has children keeps its value under "". */
const nest = (flat: Map<string, string>): Record<string, unknown> => {
  const root: Record<string, unknown> = {};
  for (const [key, value] of [...flat].sort(([a], [b]) => a.localeCompare(b))) {
    const parts = key.split('/').filter(Boolean);
    let node = root;
    parts.slice(0, -1).forEach((p) => {
      const next = node[p];
      if (typeof next === 'string') node[p] = { '': next };
      node[p] ??= {};
      node = node[p] as Record<string, unknown>;
    });
    const leaf = parts[parts.length - 1]!;
    if (typeof node[leaf] === 'object') (node[leaf] as Record<string, unknown>)[''] = value;
    else node[leaf] = value;
  }
  return root;
};

describeBackendContract('file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-file-contract-'));
  const file = join(dir, 'data.yaml');
  const flat = new Map<string, string>();
  let writes = 0;
  const save = async (): Promise<void> => {
    const temp = join(dir, `.data.yaml.${(writes += 1)}`);
    await writeFile(temp, stringify(nest(flat)));
    await rename(temp, file);
  };
  await save();
  const backend = createFileBackend({ nodes: [], files: [file] }, silentLogger);
  return {
    backend,
    put: async (key, value) => {
      flat.set(key, value);
      await save();
    },
    del: async (key) => {
      flat.delete(key);
      await save();
    },
    putMany: async (entries) => {
      for (const [k, v] of entries) flat.set(k, v);
      await save();
    },
    restart: async () => {
      await rm(file);
      await new Promise((r) => setTimeout(r, 200));
      await save();
    },
    teardown: async () => {
      await backend.close();
      await rm(dir, { recursive: true, force: true });
    },
    watchTimeoutMs: 10_000,
  };
});
