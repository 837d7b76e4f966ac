// Shared pieces of the pipeline tests: a resource for a dest in a temp dir,
// default options, and checks that nothing is left behind or half-served.
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { expect } from 'vitest';
import type { TemplateResource } from '../../src/config/resource.js';
import { silentLogger } from '../../src/log.js';
import type { PipelineOptions } from '../../src/resource/pipeline.js';
import type { ProxyServer } from './proxy-process.js';

export const pipelineOptions: PipelineOptions = {
  noop: false,
  syncOnly: false,
  keepStageFile: false,
  commandTimeoutMs: 30_000,
  logger: silentLogger,
};

/** A resource named after dest's base name, reading /app/live. */
export const testResource = (dest: string, over: Partial<TemplateResource> = {}): TemplateResource => {
  const name = basename(dest).replace(/\.[^.]*$/, '');
  return {
    name: `${name}.toml`,
    file: join(dirname(dest), `${name}.toml`),
    src: join(dirname(dest), `${name}.hbs`),
    dest,
    prefix: '/app',
    keys: ['/live'],
    paths: ['/app/live'],
    ...over,
  };
};

/** Staged or backup files in a directory. */
export const tempFilesIn = (dir: string): string[] => readdirSync(dir).filter((n) => n.includes('.switchyard-'));

/** Several requests, so every worker answers the same (no lucky single hit). */
export const expectServesOnly = async (proxy: ProxyServer, body: string): Promise<void> => {
  for (let i = 0; i < 5; i++) expect((await proxy.fetch()).body).toBe(body);
};
