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

/**
 * Five answers in a row with this body, so every worker answers the same (no
 * lucky single hit). A reload is asynchronous: workers of a reload that was
 * superseded a moment ago may still accept a connection or two while they
 * shut down, so the streak has up to 5 s to form.
 */
export const expectServesOnly = async (proxy: ProxyServer, body: string, timeoutMs = 5_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  const seen: string[] = [];
  let streak = 0;
  while (streak < 5) {
    const answer = (await proxy.fetch()).body;
    seen.push(answer);
    streak = answer === body ? streak + 1 : 0;
    if (streak < 5 && Date.now() > deadline) expect(seen.slice(-10)).toEqual(Array(Math.min(seen.length, 10)).fill(body));
  }
};
