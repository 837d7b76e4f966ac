// switchyard's version: set by the bundler (scripts/bundle.mjs), which the
// single executable needs (it has no package.json beside it); the unbundled
// build reads package.json.
import { readFileSync } from 'node:fs';

declare const SWITCHYARD_VERSION: string | undefined;

export const VERSION: string =
  typeof SWITCHYARD_VERSION === 'string'
    ? SWITCHYARD_VERSION
    : (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
