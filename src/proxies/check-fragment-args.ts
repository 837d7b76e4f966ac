// The arguments of `check-fragment`, parsed by one function for both ways the
// check runs: as its own process (`switchyard check-fragment …`) and inside
// the daemon when a check_cmd names it. What one accepts, the other accepts.
import type { FragmentCheckOptions, FragmentProxy } from './fragment-check.js';

/** Bad arguments: the command's usage error (exit 2). */
export class CheckFragmentUsageError extends Error {
  override readonly name = 'CheckFragmentUsageError';
}

const PROXIES: readonly string[] = ['nginx', 'haproxy'] satisfies FragmentProxy[];
const FLAGS = ['config', 'staged', 'dest', 'bin', 'prefix', 'timeout'] as const;
type Flag = (typeof FLAGS)[number];
const REPEATABLE: ReadonlySet<Flag> = new Set(['config']);
const REQUIRED: readonly Flag[] = ['config', 'staged', 'dest'];
export const DEFAULT_CHECK_TIMEOUT_SECONDS = 60;

const isFlag = (name: string): name is Flag => (FLAGS as readonly string[]).includes(name);

/** `PROXY --config F… --staged F --dest F [--bin F] [--prefix D] [--timeout S]`, after the word `check-fragment`. */
export const parseCheckFragmentArgs = (args: readonly string[]): FragmentCheckOptions => {
  const values = new Map<Flag, string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!m) {
      positionals.push(arg);
      continue;
    }
    const name = m[1]!;
    if (!isFlag(name)) throw new CheckFragmentUsageError(`unknown option --${name}`);
    const value = m[2] ?? args[++i];
    if (value === undefined) throw new CheckFragmentUsageError(`--${name} needs a value`);
    const seen = values.get(name) ?? [];
    if (seen.length > 0 && !REPEATABLE.has(name)) throw new CheckFragmentUsageError(`--${name} given more than once`);
    values.set(name, [...seen, value]);
  }
  const [proxy, ...extra] = positionals;
  if (proxy === undefined || !PROXIES.includes(proxy)) {
    throw new CheckFragmentUsageError(`expected the proxy, ${PROXIES.join(' or ')}, got ${proxy === undefined ? 'nothing' : JSON.stringify(proxy)}`);
  }
  if (extra.length > 0) throw new CheckFragmentUsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  for (const flag of REQUIRED) if (!values.has(flag)) throw new CheckFragmentUsageError(`--${flag} is required`);
  const one = (flag: Flag): string | undefined => values.get(flag)?.[0];
  const timeout = Number(one('timeout') ?? DEFAULT_CHECK_TIMEOUT_SECONDS);
  if (!(timeout > 0) || !Number.isFinite(timeout)) throw new CheckFragmentUsageError(`--timeout: expected seconds > 0, got ${JSON.stringify(one('timeout'))}`);
  const options: FragmentCheckOptions = {
    proxy: proxy as FragmentProxy,
    configs: values.get('config')!,
    staged: one('staged')!,
    dest: one('dest')!,
    timeoutMs: timeout * 1000,
  };
  if (one('bin') !== undefined) options.bin = one('bin');
  if (one('prefix') !== undefined) options.prefix = one('prefix');
  return options;
};
