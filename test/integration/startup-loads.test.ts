// What a run loads at start-up (bin/switchyard → bin/run-bundle.cjs): the
// bundle compiled with its code cache, accepted by V8; --version and a plain
// one-shot without yargs or any other library file; node:crypto and
// node:child_process only when a run writes a file or runs a command.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../harness/cli.js';
import { makeConfdir, type Confdir } from '../harness/confdir.js';

interface Loads {
  result: CliResult;
  /** The bundle's files compiled (dist/bundle/switchyard.js, vendor/NAME.js). */
  files: string[];
  /** Node's built-in modules loaded (process.moduleLoadList). */
  builtins: string[];
  /** The bundle's compilation: whether a cache was given and whether V8 refused it. */
  bundle: { cached: boolean; rejected: boolean } | undefined;
}

let work: string;
let preload: string;
let conf: Confdir;
let env: Record<string, string>;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'switchyard-loads-'));
  preload = join(work, 'record-loads.cjs');
  // Loaded with --require before bin/switchyard: records what the run compiles and loads.
  writeFileSync(
    preload,
    `'use strict';
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
    if (file.endsWith('/dist/bundle/switchyard.js')) bundle = { cached: options.cachedData !== undefined, rejected: this.cachedDataRejected === true };
  }
};
process.on('exit', () => {
  const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));
  fs.writeFileSync(process.env.LOADS_OUT, JSON.stringify({ files, builtins, bundle }));
});
`,
  );
  conf = makeConfdir();
  conf.addResource({ name: 'app', template: 'port={{getv "/port"}}\n', fields: { dest: join(conf.dir, 'out.conf'), prefix: '/app', keys: ['/port'] } });
  // The env backend: no library of its own (the file backend's YAML reader is one).
  env = { SWITCHYARD_BACKEND: 'env', APP_PORT: '9001' };
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(conf.dir, { recursive: true, force: true });
});

const loadsOf = async (args: string[]): Promise<Loads> => {
  const out = join(work, `loads-${Math.random().toString(16).slice(2)}.json`);
  const result = await runCli(args, { env: { ...env, LOADS_OUT: out, NODE_OPTIONS: `--require ${preload}` } });
  return { result, ...(JSON.parse(readFileSync(out, 'utf8')) as Omit<Loads, 'result'>) };
};

const libraries = (l: Loads): string[] => l.files.filter((f) => f.includes('/dist/bundle/vendor/'));

describe('start-up', () => {
  it('compiles the bundle with the code cache made at build time, which V8 accepts', async () => {
    const l = await loadsOf(['--version']);
    expect(l.result.code, l.result.stderr).toBe(0);
    expect(l.bundle).toEqual({ cached: true, rejected: false });
  });

  it('answers --version without yargs or any other library', async () => {
    const l = await loadsOf(['--version']);
    expect(l.result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(libraries(l)).toEqual([]);
    // The recording sees the libraries a command loads, with their caches.
    const help = await loadsOf(['--help']);
    expect(help.result.code).toBe(0);
    expect(libraries(help).map((f) => f.split('/').pop())).toContain('yargs.js');
  });

  it('loads neither node:crypto nor node:child_process for a one-shot run that changes nothing', async () => {
    const first = await loadsOf(['--onetime', '--confdir', conf.dir]);
    expect(first.result.code, first.result.stderr).toBe(0);
    // The first run wrote the file (and its history entry, which hashes it).
    expect(first.builtins).toContain('crypto');
    const again = await loadsOf(['--onetime', '--confdir', conf.dir]);
    expect(again.result.code, again.result.stderr).toBe(0);
    expect(again.result.stderr).not.toMatch(/updated/);
    expect(again.builtins).not.toContain('crypto');
    expect(again.builtins).not.toContain('child_process');
    expect(libraries(again)).toEqual([]);
  });

  it('loads node:child_process when a resource has a command to run', async () => {
    const c = makeConfdir();
    try {
      c.addResource({ name: 'cmd', template: 'x\n', fields: { dest: join(c.dir, 'out.conf'), reload_cmd: 'true' } });
      const l = await loadsOf(['--onetime', '--confdir', c.dir]);
      expect(l.result.code, l.result.stderr).toBe(0);
      expect(l.builtins).toContain('child_process');
    } finally {
      rmSync(c.dir, { recursive: true, force: true });
    }
  });
});
