// What a run of bin/switchyard compiled and loaded, recorded by a --require
// preload: every file compiled through vm.Script (bin/run-bundle.cjs compiles
// the bundle and each library it loads), Node's built-in modules loaded, and
// whether the bundle was given its code cache and V8 accepted it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Loads {
  /** The bundle's files compiled (dist/bundle/switchyard.js, vendor/NAME.js). */
  files: string[];
  /** Node's built-in modules loaded (process.moduleLoadList). */
  builtins: string[];
  /** The bundle's compilation: whether a cache was given and whether V8 refused it. */
  bundle: { cached: boolean; rejected: boolean } | undefined;
}

const PRELOAD = `'use strict';
const vm = require('node:vm');
const fs = require('node:fs');
const Original = vm.Script;
let bundle;
const files = [];
vm.Script = class extends Original {
  constructor(source, options) {
    super(source, options);
    const file = String(options && options.filename);
    files.push(file);
    // dist/bundle/switchyard.js, or the single executable's embedded copy (<executable>/switchyard.js).
    if (file.endsWith('/switchyard.js')) bundle = { cached: options.cachedData !== undefined, rejected: this.cachedDataRejected === true };
  }
};
process.on('exit', () => {
  const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));
  fs.writeFileSync(process.env.LOADS_OUT, JSON.stringify({ files, builtins, bundle }));
});
`;

export interface LoadRecording {
  /** The environment a run needs to be recorded (NODE_OPTIONS, where its record goes). */
  env: Record<string, string>;
  /** The record, once the run has exited. */
  read(): Loads;
}

/** Writes the preload into `dir`; each recording() is for one run. */
export const createLoadRecorder = (dir: string): { recording(): LoadRecording } => {
  const preload = join(dir, 'record-loads.cjs');
  writeFileSync(preload, PRELOAD);
  let runs = 0;
  return {
    recording: () => {
      const out = join(dir, `loads-${runs++}.json`);
      return { env: { LOADS_OUT: out, NODE_OPTIONS: `--require ${preload}` }, read: () => JSON.parse(readFileSync(out, 'utf8')) as Loads };
    },
  };
};
