// Checking a staged fragment (an upstream file, a backend section) in the
// context of the full proxy configuration that includes it.
//
// HAProxy: `haproxy -c` takes every -f file/directory; we pass the same list
// with dest swapped for the staged file (a directory that holds dest is
// expanded into its *.cfg files, in HAProxy's order, so dest can be swapped).
//
// nginx: `nginx -t` parses the config exactly as a reload would only if every
// path resolves the same. nginx resolves relative paths (includes,
// certificates, mime.types) against the directory of the -c file, so we write
// a hidden copy of the main config *next to the original* and only rewrite
// the include directives on the chain that leads to dest: a glob include is
// expanded into one literal include per match, in glob(3) order, with dest
// replaced by the staged file (and by nothing else). Included files on that
// chain get rewritten copies in a temp dir; every other file is read in place.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { randomHex } from '../hex.js';
import { runProcess } from '../process/command.js';
import { byteOrder, canonicalPath, expandGlob, globMatches, hasGlob, haproxyDirFiles } from './config-glob.js';
import { includeLine, scanIncludes } from './nginx-includes.js';

export type FragmentProxy = 'nginx' | 'haproxy';

export interface FragmentCheckOptions {
  proxy: FragmentProxy;
  /** nginx: the main config (one). HAProxy: every -f file or directory, in order. */
  configs: string[];
  /** The staged file to check in place of dest. */
  staged: string;
  /** The fragment's live path, as the configs include it. */
  dest: string;
  /** The proxy binary (default `nginx` / `haproxy` on PATH). */
  bin?: string;
  /** nginx only: the -p prefix. */
  prefix?: string;
  timeoutMs?: number;
}

export interface FragmentCheckResult {
  ok: boolean;
  /** The checker's command line. */
  command: string;
  exitCode: number | undefined;
  /** stdout and stderr of the checker, with temporary paths named after the originals. */
  output: string;
}

/** The configs cannot be checked with this fragment (dest is not part of them, unreadable file...). */
export class FragmentSetupError extends Error {
  override readonly name = 'FragmentSetupError';
}

const MAX_INCLUDE_DEPTH = 16;

interface NginxContext {
  confPrefix: string;
  /** dest's real path, to compare with what the includes load. */
  dest: string;
  /** dest as configured (absolute), to match include patterns when it does not exist yet. */
  destAsWritten: string;
  staged: string;
  tmpDir: string;
  /** Rewritten copy → original, to name originals in the checker's output. */
  copies: Map<string, string>;
  found: number;
}

// The files an include pattern loads, plus dest when it would match but does not exist yet.
const includedFiles = async (pattern: string, dest: string): Promise<string[]> => {
  if (!hasGlob(pattern)) return [pattern];
  const files = await expandGlob(pattern);
  const destMissing = !(await stat(dest).catch(() => undefined));
  if (destMissing && globMatches(pattern, dest)) files.push(dest);
  return files.sort(byteOrder);
};

// Returns the path of a rewritten copy when `file` leads to dest, else undefined.
const rewriteNginx = async (file: string, ctx: NginxContext, main: boolean, depth: number): Promise<string | undefined> => {
  if (depth > MAX_INCLUDE_DEPTH) throw new FragmentSetupError(`includes nested deeper than ${MAX_INCLUDE_DEPTH} levels at ${file}`);
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (main) throw new FragmentSetupError(`cannot read ${file}: ${err.message}`);
    return undefined; // nginx itself will report a missing or unreadable include
  });
  if (text === undefined) return undefined;
  let out = '';
  let last = 0;
  for (const directive of scanIncludes(text)) {
    const pattern = isAbsolute(directive.path) ? directive.path : join(ctx.confPrefix, directive.path);
    const targets: string[] = [];
    let changed = false;
    for (const included of await includedFiles(pattern, ctx.destAsWritten)) {
      if ((await canonicalPath(included)) === ctx.dest) {
        ctx.found += 1;
        targets.push(ctx.staged);
        changed = true;
        continue;
      }
      const copy = await rewriteNginx(included, ctx, false, depth + 1);
      changed ||= copy !== undefined;
      targets.push(copy ?? included);
    }
    if (!changed) continue;
    out += text.slice(last, directive.start) + targets.map(includeLine).join(' ');
    last = directive.end;
  }
  if (last === 0) return undefined;
  out += text.slice(last);
  const random = randomHex(6);
  const copy = main
    ? join(dirname(file), `.${basename(file)}.switchyard-check-${random}`)
    : join(ctx.tmpDir, `${ctx.copies.size}-${basename(file)}`);
  await writeFile(copy, out, { mode: 0o600, flag: 'wx' });
  ctx.copies.set(copy, file);
  return copy;
};

const nameOriginals = (output: string, replacements: Map<string, string>): string => {
  let text = output;
  for (const [temp, original] of replacements) text = text.split(temp).join(original);
  return text;
};

const runChecker = async (
  file: string,
  args: string[],
  replacements: Map<string, string>,
  timeoutMs: number,
): Promise<FragmentCheckResult> => {
  const result = await runProcess(file, args, timeoutMs);
  const how = result.timedOut ? `timed out after ${timeoutMs} ms` : result.exitCode === undefined ? `could not run: ${String((result.cause as Error | undefined)?.message ?? result.signal)}` : '';
  const output = nameOriginals([result.all.trimEnd(), how].filter(Boolean).join('\n'), replacements);
  const command = nameOriginals([file, ...args].join(' '), replacements);
  return { ok: !result.failed, command, exitCode: result.exitCode, output };
};

const checkNginx = async (options: FragmentCheckOptions, dest: string, timeoutMs: number): Promise<FragmentCheckResult> => {
  const [config, ...extra] = options.configs;
  if (config === undefined || extra.length) throw new FragmentSetupError('nginx takes exactly one --config (the main nginx.conf)');
  const main = resolve(config);
  const tmpDir = await mkdtemp(join(tmpdir(), 'switchyard-nginx-check-'));
  const ctx: NginxContext = {
    confPrefix: dirname(main),
    dest,
    destAsWritten: resolve(options.dest),
    staged: resolve(options.staged),
    tmpDir,
    copies: new Map(),
    found: 0,
  };
  try {
    const mainCopy = await rewriteNginx(main, ctx, true, 0);
    if (!mainCopy || ctx.found === 0) throw new FragmentSetupError(`${options.dest} is not included by ${main}`);
    const prefix = options.prefix ? ['-p', resolve(options.prefix)] : [];
    const replacements = new Map([...ctx.copies, [ctx.staged, options.dest]]);
    return await runChecker(options.bin ?? 'nginx', [...prefix, '-t', '-c', mainCopy], replacements, timeoutMs);
  } finally {
    for (const copy of ctx.copies.keys()) await rm(copy, { force: true });
    await rm(tmpDir, { recursive: true, force: true });
  }
};

// The -f list for HAProxy with dest swapped for the staged file.
const haproxyFiles = async (options: FragmentCheckOptions, dest: string): Promise<string[]> => {
  const staged = resolve(options.staged);
  const files: string[] = [];
  let found = 0;
  const swap = async (file: string): Promise<string> => {
    if ((await canonicalPath(file)) !== dest) return file;
    found += 1;
    return staged;
  };
  for (const config of options.configs.map((c) => resolve(c))) {
    const info = await stat(config).catch(() => undefined);
    if (!info?.isDirectory()) {
      files.push(await swap(config));
      continue;
    }
    const inDir = await haproxyDirFiles(config);
    const destMissingHere = dirname(dest) === (await canonicalPath(config)) && dest.endsWith('.cfg') && !(await stat(dest).catch(() => undefined));
    if (destMissingHere) inDir.push(join(config, basename(dest)));
    for (const file of inDir.sort(byteOrder)) files.push(await swap(file));
  }
  if (found === 0) throw new FragmentSetupError(`${options.dest} is not one of the --config files or in one of the --config directories`);
  return files;
};

const checkHaproxy = async (options: FragmentCheckOptions, dest: string, timeoutMs: number): Promise<FragmentCheckResult> => {
  if (options.configs.length === 0) throw new FragmentSetupError('haproxy needs at least one --config');
  const files = await haproxyFiles(options, dest);
  const replacements = new Map([[resolve(options.staged), options.dest]]);
  return runChecker(options.bin ?? 'haproxy', ['-c', ...files.flatMap((f) => ['-f', f])], replacements, timeoutMs);
};

/** Runs the proxy's own checker on the full config with dest replaced by the staged file. */
export const checkFragment = async (options: FragmentCheckOptions): Promise<FragmentCheckResult> => {
  const dest = await canonicalPath(options.dest);
  const timeoutMs = options.timeoutMs ?? 60_000;
  return options.proxy === 'nginx' ? checkNginx(options, dest, timeoutMs) : checkHaproxy(options, dest, timeoutMs);
};
