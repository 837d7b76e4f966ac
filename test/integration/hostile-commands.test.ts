// Hostile and careless input, as a table: check and reload commands that
// hang, daemonize, flood their output, print binary, fail, cannot start or
// get killed; bad values of every numeric, duration and address option
// through a flag, a SWITCHYARD_* variable and switchyard.toml; secrets in
// endpoints, environments and data files. Every case asserts the exit code,
// the message (naming the value, truncated), the old dest kept (or the new
// one written), no stage file left, a bounded log, and for watch-mode cases
// a daemon that stays alive.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startWatcher, type CliResult } from '../harness/cli.js';
import { makeConfdir } from '../harness/confdir.js';
import { freePort } from '../harness/ports.js';

const OLD = 'old content\n';
const NEW = 'a=value\n';
/** No case may log more than this: output is capped, values are cut. */
const LOG_LIMIT = 48 * 1024;
const LONG = 'x'.repeat(10_000);
/** How long a case may take on a loaded machine before it counts as hanging (no case asserts a duration). */
const PATIENCE_MS = 90_000;

interface Ctx {
  dir: string;
  dest: string;
  data: string;
  args: string[];
  /** Arguments a case's setup adds (a port it found). */
  extraArgs: string[];
}

interface Case {
  name: string;
  /** Fields of the resource besides src/dest/keys (check_cmd, reload_cmd…); a function gets the case's dir. */
  fields?: Record<string, string> | ((ctx: Ctx) => Record<string, string>);
  args?: string[] | ((ctx: Ctx) => string[]);
  env?: Record<string, string>;
  /** Contents of switchyard.toml. */
  toml?: string;
  /** onetime (default): run with --onetime; watch: the daemon; startup: the daemon, which must refuse to start. */
  mode?: 'onetime' | 'watch' | 'startup';
  code?: number;
  /** Must appear in the output. */
  message: RegExp;
  /** Must not appear in the output. */
  absent?: RegExp[];
  dest?: 'kept' | 'updated';
  setup?: (ctx: Ctx) => void | Promise<void>;
  verify?: (ctx: Ctx, out: string, pid?: number) => void | Promise<void>;
  timeoutMs?: number;
}

const processAlive = (pattern: string): number[] => {
  try {
    return execFileSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
};
const killAll = (pids: number[]): void => {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
};

const setupCase = (c: Case): Ctx => {
  const conf = makeConfdir();
  const data = join(conf.dir, 'data.yaml');
  writeFileSync(data, 'a: value\n');
  const dest = join(conf.dir, 'out', 'a.conf');
  mkdirSync(join(conf.dir, 'out'));
  writeFileSync(dest, OLD);
  const ctx: Ctx = { dir: conf.dir, dest, data, args: ['--confdir', conf.dir, '--file', data], extraArgs: [] };
  const fields = typeof c.fields === 'function' ? c.fields(ctx) : (c.fields ?? {});
  conf.addResource({ name: 'a', template: 'a={{getv "/a"}}\n', fields: { dest, keys: ['/a'], ...fields } });
  // The backend comes from switchyard.toml, so that flags and variables of a case are the only ones given.
  writeFileSync(join(conf.dir, 'switchyard.toml'), `backend = "file"\n${c.toml ?? ''}`);
  return ctx;
};

const runCase = async (c: Case): Promise<void> => {
  const ctx = setupCase(c);
  await c.setup?.(ctx);
  const args = [...ctx.args, ...(typeof c.args === 'function' ? c.args(ctx) : (c.args ?? [])), ...ctx.extraArgs];
  const mode = c.mode ?? 'onetime';
  let out: string;
  if (mode === 'watch') {
    const w = startWatcher(args, { env: c.env });
    try {
      await w.waitFor(c.message, c.timeoutMs ?? PATIENCE_MS);
      expect(existsSync(`/proc/${w.pid}`), 'the daemon is alive').toBe(true);
      await c.verify?.(ctx, w.output(), w.pid);
    } finally {
      expect(await w.stop()).toBe(0);
    }
    out = w.output();
  } else {
    const r: CliResult = await runCli(mode === 'onetime' ? ['--onetime', ...args] : args, { env: c.env, timeoutMs: c.timeoutMs ?? PATIENCE_MS });
    out = r.stdout + r.stderr;
    expect(r.code, out.slice(0, 2000)).toBe(c.code ?? 1);
    expect(out).toMatch(c.message);
    await c.verify?.(ctx, out);
  }
  for (const a of c.absent ?? []) expect(out).not.toMatch(a);
  expect(out.length, 'the log stays bounded').toBeLessThan(LOG_LIMIT);
  expect(readFileSync(ctx.dest, 'utf8')).toBe((c.dest ?? 'kept') === 'kept' ? OLD : NEW);
  expect(readdirSync(join(ctx.dir, 'out')).filter((f) => f !== 'a.conf'), 'no stage file left').toEqual([]);
};

// One listening socket, opened by the first case that needs a port in use.
let busy: Server | undefined;
let busyPortNumber: Promise<number> | undefined;
const busyPort = (): Promise<number> =>
  (busyPortNumber ??= (async () => {
    const port = await freePort();
    busy = createServer();
    await new Promise<void>((r) => busy!.listen(port, '127.0.0.1', () => r()));
    return port;
  })());
const writeBusyToml = (ctx: Ctx, port: number): string => {
  const file = join(ctx.dir, 'switchyard.toml');
  writeFileSync(file, `backend = "file"\nmetrics_addr = "127.0.0.1:${port}"\n`);
  return file;
};

const vmHwmKb = (pid: number): number => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

// ---------------------------------------------------------------- commands
const commandCases: Case[] = [
  { name: 'a hanging check times out', fields: { check_cmd: 'sleep 30' }, args: ['--command-timeout', '1s'], message: /check failed: command `sleep 30` timed out after 1s/ },
  {
    name: 'a check that daemonizes into another session still ends at the time limit',
    fields: { check_cmd: 'setsid sleep 31.101' },
    args: ['--command-timeout', '1s'],
    message: /timed out after 1s/,
    // The daemonized sleeper is still running: switchyard stopped waiting for its pipes instead of waiting for it.
    verify: () => {
      const pids = processAlive('sleep 31.101');
      killAll(pids);
      expect(pids.length, 'switchyard returned while the daemonized child still held its output').toBeGreaterThan(0);
    },
  },
  {
    name: 'a check that leaves a background child in its group has the group killed',
    fields: { check_cmd: 'sleep 31.102 & echo started' },
    args: ['--command-timeout', '1s'],
    message: /timed out after 1s/,
    verify: () => expect(processAlive('sleep 31.102')).toEqual([]),
  },
  {
    name: 'a check that ignores SIGTERM is killed',
    fields: { check_cmd: 'trap "" TERM; sleep 31.103' },
    args: ['--command-timeout', '500ms'],
    message: /timed out after 500ms/,
    verify: () => expect(processAlive('sleep 31.103')).toEqual([]),
  },
  { name: 'a check that closes its output and hangs times out', fields: { check_cmd: 'exec >&- 2>&-; sleep 31.104' }, args: ['--command-timeout', '1s'], message: /timed out after 1s/ },
  {
    name: 'a check that detaches a child with its own output succeeds at once',
    fields: { check_cmd: '(setsid sleep 31.105 >/dev/null 2>&1 &); exit 0' },
    code: 0,
    dest: 'updated',
    message: /updated/,
    verify: () => {
      const pids = processAlive('sleep 31.105');
      killAll(pids);
      expect(pids.length).toBeGreaterThan(0);
    },
  },
  {
    name: 'a reload that daemonizes ends at the time limit and is rolled back',
    fields: { reload_cmd: 'setsid sleep 31.106' },
    args: ['--command-timeout', '1s'],
    message: /reload failed: command `setsid sleep 31.106` timed out after 1s/,
    verify: () => killAll(processAlive('sleep 31.106')),
  },
  {
    name: 'watch: a daemonizing reload does not block the daemon',
    mode: 'watch',
    fields: { reload_cmd: 'setsid sleep 31.107' },
    args: ['--command-timeout', '1s'],
    message: /ready; watching/,
    verify: async (_ctx, out) => {
      expect(out).toMatch(/reload failed: command `setsid sleep 31.107` timed out after 1s/);
      killAll(processAlive('sleep 31.107'));
    },
  },
  { name: 'watch: a hanging check keeps the daemon alive', mode: 'watch', fields: { check_cmd: 'sleep 31.108' }, args: ['--command-timeout', '1s'], message: /ready; watching/, verify: (_c, out) => expect(out).toMatch(/sleep 31.108` timed out after 1s/) },
  {
    name: '101 MB of output from a failing check is cut to a head and a tail',
    fields: { check_cmd: 'head -c 101000000 /dev/zero | tr "\\000" x; exit 1' },
    message: /exited with code 1; stdout: … 1009\d{5} bytes omitted …\nxxxx/,
  },
  {
    name: '20 MB of output from a passing check is dropped, the dest is written',
    fields: { check_cmd: 'head -c 20000000 /dev/zero' },
    code: 0,
    dest: 'updated',
    message: /updated/,
  },
  {
    name: 'watch: 101 MB from a check leaves the daemon alive with a bounded heap',
    mode: 'watch',
    fields: { check_cmd: 'head -c 101000000 /dev/zero | tr "\\000" y; exit 1' },
    message: /ready; watching/,
    verify: (_ctx, out, pid) => {
      expect(out).toMatch(/bytes omitted …\nyyyy/);
      const peakMb = vmHwmKb(pid!) / 1024;
      console.info(`hostile commands: peak RSS of a daemon whose check printed 101 MB: ${peakMb.toFixed(0)} MB`);
      expect(peakMb, 'peak RSS in MB').toBeLessThan(400);
    },
  },
  { name: '20 MB on stderr of a failing check', fields: { check_cmd: 'head -c 20000000 /dev/zero | tr "\\000" e >&2; exit 4' }, message: /exited with code 4; stderr: … \d+ bytes omitted …\neeee/ },
  { name: 'one 1 MB line is cut', fields: { check_cmd: 'head -c 1000000 /dev/zero | tr "\\000" l; exit 1' }, message: /stdout: … \d+ bytes omitted …\nllll/ },
  { name: '100,000 lines keep the last twenty', fields: { check_cmd: 'seq 1 100000; exit 1' }, message: /stdout: 99981\n[\s\S]*\n100000/, absent: [/\n99980\n/] },
  { name: 'binary output of a failing check', fields: { check_cmd: 'head -c 20000 /dev/urandom; exit 1' }, message: /exited with code 1/ },
  {
    name: 'binary output keeps JSON log lines parseable',
    fields: { check_cmd: 'head -c 20000 /dev/urandom; printf "\\000\\033[31m"; exit 1' },
    args: ['--log-format', 'json'],
    message: /exited with code 1/,
    verify: (_ctx, out) => {
      for (const line of out.trim().split('\n')) expect(() => JSON.parse(line) as unknown).not.toThrow();
    },
  },
  { name: 'a check exiting 3', fields: { check_cmd: 'sh -c "exit 3"' }, message: /exited with code 3/ },
  { name: 'a check exiting 255', fields: { check_cmd: 'exit 255;' }, message: /exited with code 255/ },
  { name: 'false as a check', fields: { check_cmd: 'false' }, message: /command `false` exited with code 1/ },
  { name: 'a missing program', fields: { check_cmd: '/nonexistent/program -t {{src}}' }, message: /could not start \(spawn \/nonexistent\/program ENOENT\)/ },
  { name: 'a program not on PATH', fields: { check_cmd: 'no-such-program-anywhere' }, message: /could not start.*ENOENT/ },
  {
    name: 'a program that is not executable',
    fields: (ctx) => ({ check_cmd: join(ctx.dir, 'noexec.sh') }),
    setup: (ctx) => {
      writeFileSync(join(ctx.dir, 'noexec.sh'), '#!/bin/sh\nexit 0\n');
      chmodSync(join(ctx.dir, 'noexec.sh'), 0o644);
    },
    message: /could not start.*EACCES/,
  },
  { name: 'a directory as the program', fields: (ctx) => ({ check_cmd: ctx.dir }), message: /could not start.*EACCES/ },
  {
    name: 'a script with a broken interpreter',
    fields: (ctx) => ({ check_cmd: join(ctx.dir, 'badinterp.sh') }),
    setup: (ctx) => {
      writeFileSync(join(ctx.dir, 'badinterp.sh'), '#!/nonexistent/interpreter\nexit 0\n');
      chmodSync(join(ctx.dir, 'badinterp.sh'), 0o755);
    },
    message: /could not start.*ENOENT/,
  },
  { name: 'shell syntax error', fields: { check_cmd: 'echo "unterminated' }, message: /exited with code 2; stderr: .*(unterminated|end of file|Syntax error)/i },
  { name: 'shell arithmetic error', fields: { check_cmd: 'echo $((1/0))' }, message: /exited with code 2; stderr: .*divi/i },
  { name: 'a failing pipeline', fields: { check_cmd: 'true | false' }, message: /exited with code 1/ },
  { name: 'a check killed by SIGKILL', fields: { check_cmd: 'kill -KILL $$' }, message: /was killed by SIGKILL/ },
  { name: 'a check killed by SIGSEGV', fields: { check_cmd: 'kill -SEGV $$' }, message: /was killed by SIGSEGV/ },
  { name: 'a check that reads stdin gets none and does not hang', fields: { check_cmd: 'cat' }, code: 0, dest: 'updated', message: /updated/ },
  { name: 'a reload exiting 1 is rolled back', fields: { reload_cmd: 'echo reload-broke >&2; exit 1' }, message: /reload failed: .*exited with code 1; stderr: reload-broke/ },
  { name: 'a reload with 5 MB of output is rolled back, its output cut', fields: { reload_cmd: 'head -c 5000000 /dev/zero | tr "\\000" r; exit 1' }, message: /reload failed: .*bytes omitted …\nrrrr/ },
  { name: '--command-timeout 1ms times a slow check out', fields: { check_cmd: 'sleep 5' }, args: ['--command-timeout', '1ms'], message: /timed out after 1ms/ },
  { name: 'the largest --command-timeout runs commands normally', fields: { check_cmd: 'true' }, args: ['--command-timeout', '2147483s'], code: 0, dest: 'updated', message: /updated/ },
  { name: 'a --command-timeout just past the timer limit is refused', fields: { check_cmd: 'true' }, args: ['--command-timeout', '2147484s'], code: 2, message: /--command-timeout: "2147484s" is longer than the maximum 2147483s/ },
  { name: 'a --command-timeout of 25 days in ms is refused', fields: { check_cmd: 'true' }, args: ['--command-timeout', '2160000000ms'], code: 2, message: /--command-timeout: "2160000000ms" is longer than the maximum/ },
  { name: '--sync-only runs no hanging command', fields: { check_cmd: 'sleep 30', reload_cmd: 'sleep 30' }, args: ['--sync-only', '--command-timeout', '1s'], code: 0, dest: 'updated', message: /updated/, absent: [/timed out/] },
];

// ----------------------------------------------------- flags and environment
interface BadValue {
  option: string;
  value: string;
  /** What the message says after the value. */
  says: RegExp;
  /** TOML literal when it differs from a quoted string. */
  tomlLiteral?: string;
}
const envName = (option: string): string => 'SWITCHYARD_' + option.replace(/-/g, '_').toUpperCase();
const tomlKey = (option: string): string => option.replace(/-/g, '_');
const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const badValues: BadValue[] = [
  { option: 'interval', value: '0', says: /is not a positive duration/, tomlLiteral: '0' },
  { option: 'interval', value: '-1', says: /is not a duration/, tomlLiteral: '-1' },
  { option: 'interval', value: 'abc', says: /is not a duration/ },
  { option: 'interval', value: '10ms', says: /shorter than the minimum 100ms/ },
  { option: 'interval', value: '2147484', says: /longer than the maximum/, tomlLiteral: '2147484' },
  { option: 'command-timeout', value: '0', says: /is not a positive duration/, tomlLiteral: '0' },
  { option: 'command-timeout', value: '-5s', says: /is not a duration/ },
  { option: 'command-timeout', value: 'soon', says: /is not a duration/ },
  { option: 'command-timeout', value: '9999999999h', says: /longer than the maximum 2147483s/ },
  { option: 'wait', value: 'abc', says: /is not a duration/ },
  { option: 'wait', value: '1s:2s:3s', says: /expected MIN\[:MAX\]/ },
  { option: 'wait', value: '2147484s', says: /longer than the maximum/ },
  { option: 'metrics-addr', value: '127.0.0.1:99999', says: /port 99999 .* is out of range/ },
  { option: 'metrics-addr', value: '127.0.0.1:0', says: /port 0 .* is out of range/ },
  { option: 'metrics-addr', value: '127.0.0.1', says: /expected HOST:PORT/ },
  { option: 'metrics-addr', value: 'not an address', says: /expected HOST:PORT/ },
  { option: 'metrics-addr', value: '0x7f.0.0.1:9100', says: /is not an IP address or host name/ },
  { option: 'metrics-addr', value: '999.1.1.1:9100', says: /is not an IP address or host name/ },
  { option: 'metrics-addr', value: '[::1:9100', says: /expected HOST:PORT/ },
  { option: 'metrics-addr', value: '[zz::1]:9100', says: /is not an IPv6 address/ },
];

const flagCases: Case[] = [];
for (const bad of badValues) {
  const named = new RegExp(`${escapeRe(JSON.stringify(bad.value))}.*${bad.says.source}|${bad.says.source}.*${escapeRe(JSON.stringify(bad.value))}|${escapeRe(JSON.stringify(bad.value))}`);
  const common = { mode: 'startup' as const, code: 2, absent: [/\n\s+at /] };
  flagCases.push({ ...common, name: `--${bad.option}=${bad.value}`, args: [`--${bad.option}=${bad.value}`], message: new RegExp(`configuration error: --${bad.option}: .*${bad.says.source}`), verify: (_c, out) => expect(out).toMatch(named) });
  flagCases.push({ ...common, name: `${envName(bad.option)}=${bad.value}`, env: { [envName(bad.option)]: bad.value }, message: new RegExp(`configuration error: ${envName(bad.option)}: .*${bad.says.source}`), verify: (_c, out) => expect(out).toMatch(named) });
  flagCases.push({
    ...common,
    name: `switchyard.toml ${tomlKey(bad.option)} = ${bad.tomlLiteral ?? JSON.stringify(bad.value)}`,
    toml: `${tomlKey(bad.option)} = ${bad.tomlLiteral ?? JSON.stringify(bad.value)}\n`,
    message: new RegExp(`configuration error: .*switchyard.toml: ${tomlKey(bad.option)}: .*${bad.says.source}`),
    verify: (_c, out) => expect(out).toMatch(named),
  });
}
flagCases.push(
  { name: 'a 10,000-character --interval is named, cut', mode: 'startup', code: 2, args: ['--interval', LONG], message: /--interval: "x{80}… \(10000 characters\)" is not a duration/ },
  { name: 'a 10,000-character --metrics-addr is named, cut', mode: 'startup', code: 2, args: ['--metrics-addr', `${LONG}:80`], message: /--metrics-addr: .*"x{80}… \(10003 characters\)"/ },
  { name: '--interval 1 with --onetime still excludes', code: 2, args: ['--interval', '1'], message: /--onetime and --interval exclude each other/ },
  { name: 'SWITCHYARD_ONETIME=maybe', mode: 'startup', code: 2, env: { SWITCHYARD_ONETIME: 'maybe' }, message: /SWITCHYARD_ONETIME: expected true or false, got "maybe"/ },
  { name: 'SWITCHYARD_LOG_LEVEL=loud', code: 2, env: { SWITCHYARD_LOG_LEVEL: 'loud' }, message: /log-level: expected one of debug, info, warn, error, got "loud"/ },
  { name: 'SWITCHYARD_LOG_FORMAT=xml', code: 2, env: { SWITCHYARD_LOG_FORMAT: 'xml' }, message: /log-format: expected one of text, json, got "xml"/ },
  { name: 'a missing --config-file', code: 2, args: ['--config-file', '/nonexistent/switchyard.toml'], message: /\/nonexistent\/switchyard.toml: config-file: config file not found/ },
  { name: 'interval as a TOML table', mode: 'startup', code: 2, toml: 'interval = { a = 1 }\n', message: /switchyard.toml: interval: .*expected a string/ },
  { name: 'watch: --interval 500ms polls, the daemon runs', mode: 'watch', args: ['--interval', '500ms'], dest: 'updated', message: /ready; watching for changes mode="interval 0.5s"/ },
  { name: 'watch: SWITCHYARD_INTERVAL=1s polls every second', mode: 'watch', env: { SWITCHYARD_INTERVAL: '1s' }, dest: 'updated', message: /ready; watching for changes mode="interval 1s"/ },
  {
    name: 'watch: --metrics-addr [::1] with a free port serves',
    mode: 'watch',
    dest: 'updated',
    message: /ready; watching/,
    setup: async (ctx) => {
      ctx.extraArgs.push('--metrics-addr', `[::1]:${await freePort()}`);
    },
    verify: (_c, out) => expect(out).toMatch(/serving metrics and status addr="\[::1\]:\d+"/),
  },
  {
    name: '--metrics-addr on a port in use fails with exit 1, naming the address',
    mode: 'startup',
    code: 1,
    message: /--metrics-addr: cannot listen on 127\.0\.0\.1:\d+: the address is already in use/,
    absent: [/\n\s+at /, /unexpected error/],
    setup: async (ctx) => {
      ctx.extraArgs.push('--metrics-addr', `127.0.0.1:${await busyPort()}`);
    },
  },
  {
    name: 'switchyard.toml metrics_addr on a port in use fails with exit 1',
    mode: 'startup',
    code: 1,
    message: /cannot listen on 127\.0\.0\.1:\d+: the address is already in use/,
    absent: [/\n\s+at /, /unexpected error/],
    setup: async (ctx) => {
      ctx.extraArgs.push('--config-file', writeBusyToml(ctx, await busyPort()));
    },
  },
);

// ---------------------------------------------------------------- secrets
const SECRET = 'pa"ss\\wörd-catalogue';
const secretForms = [SECRET, JSON.stringify(SECRET).slice(1, -1), encodeURIComponent(SECRET)].map((s) => new RegExp(escapeRe(s)));
const secretCases: Case[] = [
  {
    name: 'a --node URL with credentials is printed with the password masked',
    args: ['--backend', 'etcd', '--node', `http://bob:${encodeURIComponent(SECRET)}@127.0.0.1:1`],
    message: /etcd at http:\/\/bob:\*\*\*@127\.0\.0\.1:1/,
    absent: secretForms,
  },
  {
    name: 'a check does not see SWITCHYARD_PASSWORD, SWITCHYARD_AUTH_TOKEN or CONSUL_HTTP_TOKEN',
    env: { SWITCHYARD_PASSWORD: SECRET, SWITCHYARD_AUTH_TOKEN: `${SECRET}-t`, CONSUL_HTTP_TOKEN: `${SECRET}-c`, ETCDCTL_PASSWORD: `${SECRET}-e`, OTHER_VAR: 'kept' },
    fields: (ctx) => ({ check_cmd: `env > ${join(ctx.dir, 'env.txt')}; exit 1` }),
    message: /check failed/,
    absent: secretForms,
    verify: (ctx) => {
      const env = readFileSync(join(ctx.dir, 'env.txt'), 'utf8');
      expect(env).toContain('OTHER_VAR=kept');
      expect(env).not.toMatch(/SWITCHYARD_PASSWORD|SWITCHYARD_AUTH_TOKEN|CONSUL_HTTP_TOKEN|ETCDCTL_PASSWORD|wörd/);
    },
  },
  {
    name: 'a password with a quote and a backslash is masked in JSON logs',
    env: { SWITCHYARD_PASSWORD: SECRET },
    args: ['--log-format', 'json', '--log-level', 'debug'],
    fields: { check_cmd: `printf '%s\\n' '${SECRET}' >&2; exit 1` },
    message: /\*\*\*/,
    absent: secretForms,
  },
  {
    name: 'a password printed by a failing check is masked in text logs',
    env: { SWITCHYARD_PASSWORD: SECRET },
    fields: { check_cmd: `printf '%s\\n' '${SECRET}' >&2; exit 1` },
    message: /stderr: \*\*\*/,
    absent: secretForms,
  },
  {
    name: 'a YAML error in a data file gives the position, not the line',
    setup: (ctx) => writeFileSync(ctx.data, `a: value\nsecret: "${SECRET}\nbroken: [\n`),
    message: /data.yaml: not valid YAML\/JSON at line \d+, column \d+/,
    absent: [...secretForms, /broken/],
  },
  {
    name: 'a JSON error in a data file gives the position, not the line',
    setup: (ctx) => {
      writeFileSync(ctx.data.replace('.yaml', '.json'), `{"a": "value", "secret": "wörd-json-secret", }}`);
    },
    args: (ctx) => ['--file', ctx.data.replace('.yaml', '.json')],
    message: /data.json: not valid YAML\/JSON at line 1, column \d+/,
    absent: [/wörd-json-secret/],
  },
];

describe('hostile commands, flags, environment and secrets', () => {
  afterAll(async () => {
    if (busy) await new Promise<void>((r) => busy!.close(() => r()));
  });

  describe.concurrent('commands', () => {
    it.each(commandCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => runCase(c), 2 * PATIENCE_MS);
  });
  describe.concurrent('flags and environment', () => {
    it.each(flagCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => runCase(c), 2 * PATIENCE_MS);
  });
  describe.concurrent('secrets', () => {
    it.each(secretCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => runCase(c), 2 * PATIENCE_MS);
  });

  it('has a catalogue of at least 60 cases', () => {
    expect(commandCases.length + flagCases.length + secretCases.length).toBeGreaterThanOrEqual(60);
  });
});

