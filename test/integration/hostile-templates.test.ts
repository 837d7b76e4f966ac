// A catalogue of hostile and careless input: TOML, templates, and values
// through every helper. Each case runs the built CLI against a throw-away
// confdir whose dest already holds an old file, and asserts the exit code,
// the message (naming the file, key or value, shortened), and that a refused
// input leaves the old dest byte-identical. The file backend keeps the cases
// fast; a subset runs in watch mode against etcd: the daemon stays alive after
// each bad input and converges after a good one.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, runCli, startWatcher, type Watcher } from '../harness/cli.js';
import { startEtcd, type EtcdServer } from '../harness/etcd.js';
import { pidAlive } from '../harness/processes.js';

const OLD = 'old content\n';
const TEMPLATE = 'port={{getv "/port"}}\n';

interface Ctx {
  dir: string;
  dest: string;
  data: string;
}

interface Case {
  name: string;
  template?: string;
  /** [template] keys as raw TOML values over the defaults (src, dest, prefix, keys); null drops one. */
  fields?: Record<string, string | null>;
  /** Raw lines after the [template] table. */
  extra?: string;
  /** The keys below /app (a JSON document), or raw bytes of the data file. */
  data?: Record<string, unknown> | Buffer;
  args?: string[];
  env?: Record<string, string>;
  /** Run `switchyard check` instead of --onetime. */
  check?: boolean;
  prepare?: (c: Ctx) => void;
  code: number;
  message: RegExp | ((c: Ctx) => string);
  /** Default: the old dest stays byte-identical when code is not 0. */
  after?: (c: Ctx, output: string) => void;
  /** Output may be long (--noop diffs). */
  longOutput?: boolean;
  /** For the heaviest cases on a busy machine (ms; default 60 s). */
  timeoutMs?: number;
}

// Several CLI processes at once, never many: the machine is shared.
const LIMIT = 3;
let running = 0;
const queue: (() => void)[] = [];
const slot = async <T>(work: () => Promise<T>): Promise<T> => {
  if (running >= LIMIT) await new Promise<void>((r) => queue.push(r));
  running += 1;
  try {
    return await work();
  } finally {
    running -= 1;
    queue.shift()?.();
  }
};

const setUp = (c: Case): Ctx => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-hostile-'));
  mkdirSync(join(dir, 'conf.d'));
  mkdirSync(join(dir, 'templates'));
  const ctx = { dir, dest: join(dir, 'out.conf'), data: join(dir, 'data.json') };
  writeFileSync(join(dir, 'templates', 't.hbs'), c.template ?? TEMPLATE);
  const fields: Record<string, string | null> = {
    src: '"t.hbs"',
    dest: JSON.stringify(ctx.dest),
    prefix: '"/app"',
    keys: '["/"]',
    ...c.fields,
  };
  const lines = Object.entries(fields).flatMap(([k, v]) => (v === null ? [] : [`${k} = ${v}`]));
  writeFileSync(join(dir, 'conf.d', 't.toml'), ['[template]', ...lines, c.extra ?? ''].join('\n') + '\n');
  writeFileSync(ctx.data, Buffer.isBuffer(c.data) ? c.data : JSON.stringify({ app: c.data ?? { port: '9001' } }));
  writeFileSync(ctx.dest, OLD);
  c.prepare?.(ctx);
  return ctx;
};

const runCase = async (c: Case): Promise<void> => {
  const ctx = setUp(c);
  const args = c.check
    ? ['check', '--confdir', ctx.dir]
    : ['--confdir', ctx.dir, '--backend', 'file', '--file', ctx.data, '--onetime', ...(c.args ?? [])];
  const r = await slot(() => runCli(args, { env: { SWITCHYARD_NODE: '', ...c.env }, timeoutMs: c.timeoutMs ?? 60_000 }));
  const output = r.stdout + r.stderr;
  expect(r.code, output).toBe(c.code);
  if (typeof c.message === 'function') expect(output).toContain(c.message(ctx));
  else expect(output).toMatch(c.message);
  // Hostile values are shortened in messages: no flood of the log.
  if (!c.longOutput) expect(output.length, 'output is short').toBeLessThan(20_000);
  if (c.after) c.after(ctx, output);
  else if (c.code !== 0) expect(readFileSync(ctx.dest, 'utf8'), 'dest kept').toBe(OLD);
};

const destIs = (content: string) => (c: Ctx) => expect(readFileSync(c.dest, 'utf8')).toBe(content);

/** The value as messages show it: JSON-quoted, cut at 80 characters. */
const quoted = (value: string): string => JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);


const tomlCases: Case[] = [
  // Bad types.
  { name: 'dest is a number', fields: { dest: '1' }, code: 2, message: /t\.toml: template\.dest: expected a string, got 1/ },
  { name: 'keys is a number', fields: { keys: '5' }, code: 2, message: /template\.keys: expected a list of strings, got 5/ },
  { name: 'mode is an integer', fields: { mode: '644' }, code: 2, message: /template\.mode: expected an octal string/ },
  { name: 'uid is a string', fields: { uid: '"0"' }, code: 2, message: /template\.uid: expected an integer from 0 to 4294967294, got "0"/ },
  { name: 'uid is negative', fields: { uid: '-1' }, code: 2, message: /template\.uid: expected an integer from 0 to 4294967294, got -1/ },
  { name: 'uid beyond 32 bits', fields: { uid: '99999999999' }, code: 2, message: /template\.uid: expected an integer from 0 to 4294967294, got 99999999999/ },
  { name: 'gid is the no-change id', fields: { gid: '4294967295' }, code: 2, message: /template\.gid: expected an integer from 0 to 4294967294/ },
  { name: 'strict is a string', fields: { strict: '"yes"' }, code: 2, message: /template\.strict: expected true or false, got "yes"/ },
  { name: 'follow_symlinks is a string', fields: { follow_symlinks: '"no"' }, code: 2, message: /template\.follow_symlinks: expected true or false/ },
  { name: 'check_cmd is a list', fields: { check_cmd: '["true"]' }, code: 2, message: /template\.check_cmd: expected a string/ },
  // Modes.
  { name: 'setuid mode', fields: { mode: '"4777"' }, code: 2, message: /template\.mode: "4777" sets the setuid, setgid or sticky bit/ },
  { name: 'setgid mode', fields: { mode: '"2755"' }, code: 2, message: /template\.mode: "2755" sets the setuid/ },
  { name: 'sticky mode', fields: { mode: '"1777"' }, code: 2, message: /template\.mode: "1777" sets/ },
  { name: 'mode with a 9', fields: { mode: '"0999"' }, code: 2, message: /template\.mode: expected an octal string such as "0644", got "0999"/ },
  { name: 'check refuses a setuid mode too', fields: { mode: '"4777"' }, check: true, code: 2, message: /error .*t\.toml: template\.mode: "4777"/ },
  {
    name: 'a plain mode is applied',
    fields: { mode: '"0640"' },
    code: 0,
    message: /updated/,
    after: (c) => expect(statSync(c.dest).mode & 0o7777).toBe(0o640),
  },
  // Unknown keys.
  { name: 'misspelt dest', fields: { destt: '"x"' }, code: 2, message: /template\.destt: unknown key in template/ },
  { name: 'follow_symlink without s', fields: { follow_symlink: 'true' }, code: 2, message: /template\.follow_symlink: unknown key/ },
  { name: 'misspelt table', extra: '[tmplate]\nx = 1', code: 2, message: /tmplate: unknown key in top level/ },
  // Duplicates and bombs.
  { name: 'dest given twice', extra: 'dest = "/tmp/other"', code: 2, message: /t\.toml: \d+:\d+: invalid TOML/ },
  { name: 'table given twice', extra: '[template]\nsrc = "t.hbs"', code: 2, message: /t\.toml: \d+:\d+: invalid TOML/ },
  { name: 'deeply nested arrays', extra: `x = ${'['.repeat(5000)}${']'.repeat(5000)}`, code: 2, message: /t\.toml: \d+:\d+: invalid TOML/ },
  { name: 'unterminated string', extra: 'check_cmd = "true', code: 2, message: /t\.toml: \d+:\d+: invalid TOML/ },
  {
    name: 'two resources with one dest',
    prepare: (c) => writeFileSync(join(c.dir, 'conf.d', 'u.toml'), `[template]\nsrc = "t.hbs"\ndest = ${JSON.stringify(c.dest)}\nkeys = ["/"]\n`),
    code: 2,
    message: /u\.toml: template\.dest: .*out\.conf is also the dest of .*t\.toml/,
  },
  {
    name: 'check finds two resources with one dest',
    check: true,
    prepare: (c) => writeFileSync(join(c.dir, 'conf.d', 'u.toml'), `[template]\nsrc = "t.hbs"\ndest = ${JSON.stringify(c.dest)}\nkeys = ["/"]\n`),
    code: 2,
    message: /error .*u\.toml: template\.dest: .* is also the dest of/,
  },
  // Paths and commands.
  { name: 'empty dest', fields: { dest: '""' }, code: 2, message: /template\.dest: is empty/ },
  { name: 'check finds an empty dest', fields: { dest: '""' }, check: true, code: 2, message: /error .*template\.dest: is empty/ },
  { name: 'dest with a NUL', fields: { dest: '"/tmp/a\\u0000b"' }, code: 2, message: /template\.dest: contains a NUL character/ },
  { name: 'blank check_cmd', fields: { check_cmd: '"   "' }, code: 2, message: /template\.check_cmd: is blank/ },
  { name: 'check finds a blank check_cmd', fields: { check_cmd: '"   "' }, check: true, code: 2, message: /template\.check_cmd: is blank/ },
  { name: 'empty reload_cmd', fields: { reload_cmd: '""' }, code: 2, message: /template\.reload_cmd: is blank/ },
  { name: '{{src}} in reload_cmd', fields: { reload_cmd: '"cp {{src}} /tmp/x"' }, code: 2, message: /template\.reload_cmd: \{\{src\}\} is the staged file/ },
  { name: '{{ .src }} in reload_cmd', fields: { reload_cmd: '"cat {{ .src }}"' }, check: true, code: 2, message: /template\.reload_cmd: \{\{src\}\} is the staged file/ },
  { name: 'missing template file', fields: { src: '"nope.hbs"' }, code: 2, message: /t\.toml: template\.src: template \S*templates\/nope\.hbs not found/ },
  // Without keys they are inferred from the template; a computed key makes that impossible.
  { name: 'no keys and a computed key', fields: { keys: null }, template: '{{#each (ls "/")}}{{getv this}}{{/each}}', code: 2, message: /t\.toml: keys: keys cannot be inferred: \S*t\.hbs:1:\d+: getv is called with a computed argument/ },
  // dest_dirs.
  {
    name: 'dest outside --dest-dirs',
    args: ['--dest-dirs', '/srv/nowhere'],
    code: 2,
    message: /template\.dest: .*out\.conf is outside the allowed dest directories \(dest_dirs: \/srv\/nowhere\)/,
  },
  { name: 'dest outside SWITCHYARD_DEST_DIRS', env: { SWITCHYARD_DEST_DIRS: '/srv/a,/srv/b' }, code: 2, message: /outside the allowed dest directories \(dest_dirs: \/srv\/a, \/srv\/b\)/ },
  {
    name: 'dest outside dest_dirs of switchyard.toml (check)',
    check: true,
    prepare: (c) => writeFileSync(join(c.dir, 'switchyard.toml'), 'dest_dirs = ["/srv/only"]\n'),
    code: 2,
    message: /error .*outside the allowed dest directories \(dest_dirs: \/srv\/only\)/,
  },
  { name: 'dest_dirs with .. does not escape', fields: { dest: '"/srv/ok/../../tmp/x.conf"' }, args: ['--dest-dirs', '/srv/ok'], code: 2, message: /\/tmp\/x\.conf is outside/ },
  { name: 'dest inside --dest-dirs', args: ['--dest-dirs', tmpdir()], code: 0, message: /updated/, after: destIs('port=9001\n') },
  // Symlinked dest.
  {
    name: 'dest links outside its directory: refused, the target untouched',
    prepare: (c) => {
      const outside = mkdtempSync(join(tmpdir(), 'switchyard-victim-'));
      writeFileSync(join(outside, 'victim'), 'precious\n');
      writeFileSync(join(c.dir, 'victim-path'), join(outside, 'victim'));
      symlinkSync(join(outside, 'victim'), `${c.dest}.link`);
      writeFileSync(join(c.dir, 'conf.d', 't.toml'), readFileSync(join(c.dir, 'conf.d', 't.toml'), 'utf8').replace('out.conf"', 'out.conf.link"'));
    },
    code: 1,
    message: /out\.conf\.link is a symbolic link to .*switchyard-victim-.*\/victim, outside .*: refusing to write through it/,
    after: (c) => {
      const victim = readFileSync(join(c.dir, 'victim-path'), 'utf8');
      expect(readFileSync(victim, 'utf8')).toBe('precious\n');
      expect(lstatSync(`${c.dest}.link`).isSymbolicLink()).toBe(true);
    },
  },
  {
    name: 'follow_symlinks = true writes through a link anywhere',
    fields: { follow_symlinks: 'true' },
    prepare: (c) => {
      const outside = mkdtempSync(join(tmpdir(), 'switchyard-target-'));
      writeFileSync(join(outside, 'target'), OLD);
      writeFileSync(join(c.dir, 'target-path'), join(outside, 'target'));
      writeFileSync(join(c.dir, 'conf.d', 't.toml'), readFileSync(join(c.dir, 'conf.d', 't.toml'), 'utf8').replace('out.conf"', 'out.link"'));
      symlinkSync(join(outside, 'target'), join(c.dir, 'out.link'));
    },
    code: 0,
    message: /updated/,
    after: (c) => {
      expect(readFileSync(readFileSync(join(c.dir, 'target-path'), 'utf8'), 'utf8')).toBe('port=9001\n');
      expect(lstatSync(join(c.dir, 'out.link')).isSymbolicLink()).toBe(true);
    },
  },
  {
    name: 'follow_symlinks = false refuses even a link in the same directory',
    fields: { follow_symlinks: 'false', dest: null },
    extra: '',
    prepare: (c) => {
      symlinkSync(c.dest, join(c.dir, 'out.link'));
      writeFileSync(join(c.dir, 'conf.d', 't.toml'), readFileSync(join(c.dir, 'conf.d', 't.toml'), 'utf8') + `dest = ${JSON.stringify(join(c.dir, 'out.link'))}\n`);
    },
    code: 1,
    message: /out\.link is a symbolic link and follow_symlinks = false: refusing/,
  },
  {
    name: 'a link within the dest directory is followed by default and survives',
    fields: { dest: null },
    prepare: (c) => {
      symlinkSync('out.conf', join(c.dir, 'out.link'));
      writeFileSync(join(c.dir, 'conf.d', 't.toml'), readFileSync(join(c.dir, 'conf.d', 't.toml'), 'utf8') + `dest = ${JSON.stringify(join(c.dir, 'out.link'))}\n`);
    },
    code: 0,
    message: /updated/,
    after: (c) => {
      expect(readlinkSync(join(c.dir, 'out.link'))).toBe('out.conf');
      expect(readFileSync(c.dest, 'utf8')).toBe('port=9001\n');
    },
  },
  {
    name: 'a dangling link survives and its target is created',
    fields: { dest: null },
    prepare: (c) => {
      symlinkSync('live/new.conf', join(c.dir, 'out.link'));
      mkdirSync(join(c.dir, 'live'));
      writeFileSync(join(c.dir, 'conf.d', 't.toml'), readFileSync(join(c.dir, 'conf.d', 't.toml'), 'utf8') + `dest = ${JSON.stringify(join(c.dir, 'out.link'))}\n`);
    },
    code: 0,
    message: /updated/,
    after: (c) => {
      expect(lstatSync(join(c.dir, 'out.link')).isSymbolicLink()).toBe(true);
      expect(readFileSync(join(c.dir, 'live', 'new.conf'), 'utf8')).toBe('port=9001\n');
    },
  },
  {
    name: 'a link into a dest_dirs directory is followed',
    fields: { dest: null },
    prepare: (c) => {
      mkdirSync(join(c.dir, 'a'));
      mkdirSync(join(c.dir, 'b'));
      writeFileSync(join(c.dir, 'b', 'real.conf'), OLD);
      symlinkSync(join(c.dir, 'b', 'real.conf'), join(c.dir, 'a', 'out.link'));
      writeFileSync(join(c.dir, 'switchyard.toml'), `dest_dirs = [${JSON.stringify(join(c.dir, 'a'))}, ${JSON.stringify(join(c.dir, 'b'))}]\n`);
      writeFileSync(join(c.dir, 'conf.d', 't.toml'), readFileSync(join(c.dir, 'conf.d', 't.toml'), 'utf8') + `dest = ${JSON.stringify(join(c.dir, 'a', 'out.link'))}\n`);
    },
    code: 0,
    message: /updated/,
    after: (c) => expect(readFileSync(join(c.dir, 'b', 'real.conf'), 'utf8')).toBe('port=9001\n'),
  },
  // Flags and environment around the configuration.
  { name: '--onetime --watch', args: ['--watch'], code: 2, message: /--onetime and --watch exclude each other/ },
  { name: 'junk SWITCHYARD_NODE', env: { SWITCHYARD_NODE: 'not a url' }, code: 2, message: /SWITCHYARD_NODE: expected an endpoint such as http:\/\/127\.0\.0\.1:2379, got "not a url"/ },
  { name: 'SWITCHYARD_NODE of commas', env: { SWITCHYARD_NODE: ' , ,' }, code: 2, message: /SWITCHYARD_NODE: expected a comma-separated list, got " , ,"/ },
  { name: 'junk --render-timeout', args: ['--render-timeout', 'soon'], code: 2, message: /render-timeout: "soon" is not a duration/ },
  { name: 'junk --render-max-output', args: ['--render-max-output', '12 parsecs'], code: 2, message: /render-max-output: "12 parsecs" is not a size/ },
  {
    name: 'empty conf.d: a warning, exit 0',
    prepare: (c) => rmSync(join(c.dir, 'conf.d', 't.toml')),
    code: 0,
    message: /conf\.d: no resources \(\*\.toml\); nothing will be rendered/,
    after: destIs(OLD),
  },
  {
    name: 'check of an empty conf.d warns, exit 0',
    check: true,
    prepare: (c) => rmSync(join(c.dir, 'conf.d', 't.toml')),
    code: 0,
    message: /warn {2}.*conf\.d: no resources \(\*\.toml\); nothing will be rendered\n0 resources ok/,
  },
  { name: 'a resource file without [template]', extra: '', fields: {}, prepare: (c) => writeFileSync(join(c.dir, 'conf.d', 't.toml'), '# nothing\n'), code: 2, message: /t\.toml: template: missing the \[template\] table/ },
  {
    name: '--noop with 20,000 changed lines prints one hunk in seconds',
    template: '{{#each (seq 1 20000)}}line {{this}} new\n{{/each}}',
    prepare: (c) => writeFileSync(c.dest, Array.from({ length: 20_000 }, (_, i) => `line ${i + 1} old\n`).join('')),
    args: ['--noop'],
    code: 0,
    message: /20000 lines replaced by 20000 \(more than 1000 changed lines: shown as one hunk\)/,
    longOutput: true,
    after: (c, out) => {
      expect(out).toContain('-line 20000 old\n+line 1 new');
      expect(readFileSync(c.dest, 'utf8')).toMatch(/^line 1 old\n/);
    },
  },
];

const tagsThenBrace = (n: number): string => '{{getv "/port"}}}\n'.repeat(n);

const templateCases: Case[] = [
  // Syntax errors name file:line:column.
  { name: 'unclosed block', template: 'ok\n{{#if (eq 1 1)}}\nunclosed\n', code: 2, message: /templates\/t\.hbs:\d+:\d+: Parse error/ },
  { name: 'mismatched block', template: '{{#if true}}x{{/each}}', code: 2, message: /t\.hbs:1:\d+: if doesn't match each/ },
  { name: 'unclosed tag', template: 'port={{getv "/port"\n', code: 2, message: /t\.hbs:\d+:\d+: Parse error/ },
  { name: 'unknown helper', template: '{{nope "/x"}}', code: 2, message: /t\.hbs:1:1: unknown helper "nope"/ },
  { name: 'partial', template: '{{> header}}', code: 2, message: /t\.hbs:1:1: partials and decorators are not supported/ },
  { name: '#if without argument', template: '{{#if}}x{{/if}}', code: 2, message: /t\.hbs:1:1: #if requires exactly one argument/ },
  { name: 'check reports a syntax error', template: '{{#each}}', check: true, code: 2, message: /error .*t\.hbs:\d+:\d+/ },
  // Go template constructs.
  { name: 'Go field {{.Port}}', template: '{{.Port}}', code: 2, message: /t\.hbs:1:1: Go-template syntax \{\{\.Port\}\}: .*switchyard migrate/ },
  { name: 'Go range', template: '{{range .}}x{{end}}', code: 2, message: /t\.hbs:1:1: Go-template syntax \{\{range \.\}\}: .*\{\{#each/ },
  { name: 'Go end', template: 'x{{end}}', code: 2, message: /t\.hbs:1:2: Go-template syntax \{\{end\}\}: .*close a block with/ },
  { name: 'Go variable', template: '{{$x := 1}}', code: 2, message: /t\.hbs:1:1: Go-template syntax \{\{\$x := 1\}\}: .*variables are not supported/ },
  { name: 'Go pipe', template: '{{getv "/port" | upper}}', code: 2, message: /t\.hbs:1:1: Go-template syntax \{\{getv "\/port" \| upper\}\}: .*pipelines are written as sub-expressions/ },
  // The "}}}" repair: no limit, one pass.
  { name: '1,001 tags followed by }', template: tagsThenBrace(1001), code: 0, message: /updated/, after: destIs('9001}\n'.repeat(1001)) },
  { name: '10,000 tags followed by }', template: tagsThenBrace(10_000), code: 0, message: /updated/, after: destIs('9001}\n'.repeat(10_000)), timeoutMs: 170_000 },
  { name: 'check of 10,000 tags followed by }', template: tagsThenBrace(10_000), check: true, code: 0, message: /1 resource ok/, timeoutMs: 170_000 },
  { name: 'triple-stash followed by }', template: '{{{getv "/port"}}}}\n', code: 0, message: /updated/, after: destIs('9001}\n') },
  { name: 'a "}}}" inside a string is left alone', template: '{{getv "/x}}}" "d"}}}\n', code: 0, message: /updated/, after: destIs('d}\n') },
  // Nesting.
  { name: '20,000 nested #if', template: `${'{{#if true}}'.repeat(20_000)}x${'{{/if}}'.repeat(20_000)}`, code: 2, message: /t\.hbs:1:1201: nesting deeper than 100 levels/ },
  { name: '20,000 nested #if at check', template: `\n${'{{#if true}}'.repeat(20_000)}`, check: true, code: 2, message: /t\.hbs:2:1201: nesting deeper than 100 levels/ },
  { name: '300 nested sub-expressions', template: `{{getv ${'('.repeat(300)}"x"${')'.repeat(300)}}}`, code: 2, message: /t\.hbs:1:\d+: nesting deeper than 100 levels/ },
  { name: '100 nested #if are fine', template: `${'{{#if true}}'.repeat(100)}x${'{{/if}}'.repeat(100)}\n`, code: 0, message: /updated/, after: destIs('x\n') },
  // Limits.
  {
    name: 'three nested seq hit the render timeout',
    template: '{{#each (seq 1 100000)}}{{#each (seq 1 100000)}}{{#each (seq 1 100000)}}x{{/each}}{{/each}}{{/each}}',
    args: ['--render-timeout', '1s'],
    code: 1,
    message: /t\.hbs:1:\d+: each: render took longer than 1000 ms \(render timeout, --render-timeout\)/,
  },
  { name: 'seq with a huge range', template: '{{#each (seq 1 1000000)}}x{{/each}}', code: 1, message: /t\.hbs:1:\d+: seq: would hold more than 100000 numbers/ },
  {
    name: 'a loop past the output limit',
    template: '{{#each (seq 1 100000)}}xxxxxxxxxxxxxxxxxxxx{{/each}}',
    args: ['--render-max-output', '64KiB'],
    code: 1,
    message: /t\.hbs:1:\d+: each: the loop's output is larger than the output limit of 64KiB \(--render-max-output\)/,
  },
  {
    name: 'a helper result past the output limit',
    template: '{{join (seq 1 90000) ","}}',
    args: ['--render-max-output', '100KiB'],
    code: 1,
    message: /t\.hbs:1:1: join: its result is larger than the output limit of 100KiB/,
  },
  {
    name: 'the whole text past the output limit (switchyard.toml)',
    template: `${'x'.repeat(2000)}\n`,
    prepare: (c) => writeFileSync(join(c.dir, 'switchyard.toml'), 'render_max_output = "1KiB"\n'),
    code: 1,
    message: /t\.hbs: the rendered text is larger than the output limit of 1KiB/,
  },
  // Strictness.
  { name: '{{typo}} is an error by default', template: 'port={{typo}}\n', code: 2, message: /t\.hbs:1:8: unknown name "typo" always renders as nothing/ },
  { name: '{{#if typo}} is an error by default', template: '{{#if typo}}x{{/if}}', code: 2, message: /t\.hbs:1:7: unknown name "typo"/ },
  { name: 'a name passed to a helper', template: '{{getv typo}}', code: 2, message: /t\.hbs:1:8: unknown name "typo"/ },
  { name: 'check lists an unknown name as an error when strict', template: '{{typo}}', check: true, code: 2, message: /error .*t\.hbs:1:3: unknown name "typo"/ },
  { name: 'strict = false renders {{typo}} as nothing', template: 'port={{typo}}\n', fields: { strict: 'false' }, code: 0, message: /t\.hbs:1:8: unknown name "typo" always renders as nothing/, after: destIs('port=\n') },
  {
    name: 'check warns about unknown names when not strict',
    template: '{{a}} {{b.c}}',
    fields: { strict: 'false' },
    check: true,
    code: 0,
    message: /warn {2}.*t\.hbs:1:3: unknown name "a"[^]*warn {2}.*t\.hbs:1:9: unknown name "b\.c"/,
  },
  { name: 'SWITCHYARD_STRICT=false', template: 'port={{typo}}\n', env: { SWITCHYARD_STRICT: 'false' }, code: 0, message: /unknown name "typo"/, after: destIs('port=\n') },
  { name: '--strict false on the command line', template: 'port={{typo}}\n', args: ['--no-strict'], code: 0, message: /unknown name "typo"/, after: destIs('port=\n') },
  { name: 'a field inside a loop is not flagged', template: '{{#each (gets "/*")}}{{key}}={{value}}\n{{/each}}', code: 0, message: /updated/, after: destIs('/port=9001\n') },
];

// Every value through every proxy-safe helper: refused, named, shortened.
const HOSTILE: [string, string][] = [
  ['newline', '9001\nserver evil:80'],
  ['semicolon', '80; } server { listen 81'],
  ['closing brace', 'a.example.com}'],
  ['NUL', 'a\u0000b'],
  ['huge', 'x'.repeat(100_000)],
  ['unicode', 'exämple.cöm'],
  ['quotes', '"a"'],
];
const PROXY_SAFE = ['host', 'port', 'hostPort', 'ip', 'cidr', 'serverName', 'token', 'duration', 'int'];

const valueCases: Case[] = [
  ...PROXY_SAFE.flatMap((helper) =>
    HOSTILE.map(
      ([label, value]): Case => ({
        name: `${helper} with a ${label} value`,
        template: `x {{${helper} "/v"}};\n`,
        data: { v: value },
        code: 1,
        message: () => `${helper}: key "/v" (/app/v): value ${quoted(value)} is not`,
      }),
    ),
  ),
  ...PROXY_SAFE.map(
    (helper): Case => ({
      name: `safe${helper.charAt(0).toUpperCase()}${helper.slice(1)} with a semicolon`,
      template: `x {{safe${helper.charAt(0).toUpperCase()}${helper.slice(1)} (getv "/v")}};\n`,
      data: { v: '80; } server { listen 81' },
      code: 1,
      message: () => `value ${quoted('80; } server { listen 81')} is not`,
    }),
  ),
  { name: 'safeHostPort HOST PORT with a bad port', template: '{{safeHostPort (getv "/h") (getv "/p")}}', data: { h: 'a.com', p: '80;' }, code: 1, message: /safeHostPort: port value "80;" is not a port/ },
  { name: 'hostPorts with one bad value', template: '{{#each (hostPorts "/b/*")}}{{this}}\n{{/each}}', data: { b: { a: '10.0.0.1:80', z: '10.0.0.2:80;' } }, code: 1, message: /hostPorts: key "\/b\/z" \(\/app\/b\/z\): value "10\.0\.0\.2:80;"/ },
  { name: 'hostPort with a hex IPv4', template: '{{hostPort "/v"}}', data: { v: '0x7f.0.0.1:80' }, code: 1, message: /value "0x7f\.0\.0\.1:80" is not host:port/ },
  { name: 'hostPort with a short IPv4', template: '{{hostPort "/v"}}', data: { v: '127.1:80' }, code: 1, message: /value "127\.1:80" is not host:port/ },
  { name: 'host with an octal IPv4', template: '{{host "/v"}}', data: { v: '0177.0.0.1' }, code: 1, message: /value "0177\.0\.0\.1" is not a hostname/ },
  { name: 'serverName with two names', template: 'server_name {{serverName "/v"}};', data: { v: 'a.com b.com' }, code: 1, message: /value "a\.com b\.com" is not one server name/ },
  { name: 'serverName emits one name', template: 'server_name {{serverName "/v"}};\n', data: { v: ' *.example.com ' }, code: 0, message: /updated/, after: destIs('server_name *.example.com;\n') },
  { name: 'int out of range', template: '{{int "/v" min=1 max=10}}', data: { v: '11' }, code: 1, message: /int: key "\/v" \(\/app\/v\): value "11" is not an integer in range \[1\.\.10\]/ },
  // The raw helpers pass values through: that is what getv is for.
  { name: 'getv passes a newline through', template: 'x={{getv "/v"}}\n', data: { v: 'a\nb;}' }, code: 0, message: /updated/, after: destIs('x=a\nb;}\n') },
  { name: 'getv of a missing key', template: '{{getv "/nope"}}', code: 1, message: /getv: key "\/nope" \(\/app\/nope\) not found/ },
  { name: 'gets into safeToken', template: '{{#each (gets "/*")}}{{safeToken value}}{{/each}}', data: { a: 'ok', b: 'x;y' }, code: 1, message: /safeToken: value "x;y" is not a single word/ },
  { name: 'json of broken JSON', template: '{{#with (json (getv "/v"))}}{{/with}}', data: { v: '{"a": ' }, code: 1, message: /t\.hbs:1:\d+: json: / },
  { name: 'json of a huge value', template: '{{#with (json (getv "/v"))}}x{{/with}}', data: { v: `{"a":"${'y'.repeat(200_000)}"` }, code: 1, message: /json: / },
  { name: 'atoi of "12;"', template: '{{atoi (getv "/v")}}', data: { v: '12;' }, code: 1, message: /atoi: parsing "12;": invalid syntax/ },
  { name: 'atoi of a huge number', template: '{{atoi (getv "/v")}}', data: { v: '9'.repeat(1000) }, code: 1, message: /atoi: parsing "9{40}": invalid syntax/ },
  { name: 'seq from a value', template: '{{#each (seq 1 (atoi (getv "/v")))}}x{{/each}}', data: { v: '1000000000' }, code: 1, message: /seq: would hold more than 100000 numbers/ },
  { name: 'add overflows', template: '{{add (atoi (getv "/v")) 1}}', data: { v: '9007199254740991' }, code: 1, message: /add: result 9007199254740992 is out of the integer range/ },
  { name: 'a huge value past the output limit', template: '{{getv "/v"}}', data: { v: 'x'.repeat(300_000) }, args: ['--render-max-output', '100KiB'], code: 1, message: /getv: its result is larger than the output limit of 100KiB/ },
  {
    name: 'invalid UTF-8 is rendered and named in a warning',
    template: 'x={{getv "/v"}}\n',
    data: Buffer.concat([Buffer.from('{"app": {"v": "a'), Buffer.from([0xff, 0xfe]), Buffer.from('b", "w": "ok"}}')]),
    code: 0,
    message: /WARN +value is not valid UTF-8; its bad bytes render as U\+FFFD key=\/app\/v/,
    after: (c, out) => {
      expect(readFileSync(c.dest, 'utf8')).toBe('x=a\uFFFD\uFFFDb\n');
      expect(out.match(/not valid UTF-8/g)).toHaveLength(1);
      expect(out).not.toContain('key=/app/w');
    },
  },
  { name: '/app//x and /app/x collide', template: '{{getv "/v/w"}}', data: { 'v//w': '1', v: { w: '2' } }, code: 1, message: /keys "\/app\/v\/\/w" and "\/app\/v\/w" are the same key \/v\/w/ },
];

describe('hostile input: the catalogue', () => {
  it('holds at least 90 cases', () => {
    expect(tomlCases.length + templateCases.length + valueCases.length).toBeGreaterThanOrEqual(90);
  });
  describe.concurrent('TOML', () => {
    for (const c of tomlCases) it(c.name, () => runCase(c), 90_000);
  });
  describe.concurrent('templates', () => {
    for (const c of templateCases) it(c.name, () => runCase(c), (c.timeoutMs ?? 60_000) + 30_000);
  });
  describe.concurrent('values through every helper', () => {
    for (const c of valueCases) it(c.name, () => runCase(c), 90_000);
  });
});

describe('hostile input in watch mode (etcd)', () => {
  let etcd: EtcdServer;
  let watcher: Watcher | undefined;
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    await watcher?.stop();
    await etcd?.stop();
  });

  const read = (f: string): string => (existsSync(f) ? readFileSync(f, 'utf8') : '');

  it('stays alive through bad values and bad templates, and converges after good ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-hostile-watch-'));
    mkdirSync(join(dir, 'conf.d'));
    mkdirSync(join(dir, 'templates'));
    const dest = join(dir, 'out.conf');
    const tpl = join(dir, 'templates', 'w.hbs');
    writeFileSync(tpl, 'server {{hostPort "/addr"}};\n');
    writeFileSync(join(dir, 'conf.d', 'w.toml'), `[template]\nsrc = "w.hbs"\ndest = ${JSON.stringify(dest)}\nprefix = "/w"\nkeys = ["/"]\n`);
    await etcd.etcdctl('put', '/w/addr', '10.0.0.1:80');
    const w = (watcher = startWatcher(['--confdir', dir, '--backend', 'etcd', '--node', etcd.endpoint, '--render-max-output', '64KiB']));
    await w.waitFor(/ready; watching/);
    expect(read(dest)).toBe('server 10.0.0.1:80;\n');

    const bad: [string, string, RegExp][] = [
      ['/w/addr', '10.0.0.2:80; } server { listen 81', /value "10\.0\.0\.2:80; } server { listen 81" is not host:port/],
      ['/w/addr', '0x7f.0.0.1:80', /value "0x7f\.0\.0\.1:80" is not host:port/],
      ['/w/addr', 'y'.repeat(100_000), /value "y{80}…" is not host:port/],
      ['/w//addr', '10.0.0.9:80', /keys "\/w\/\/addr" and "\/w\/addr" are the same key \/addr/],
    ];
    let good = 2;
    for (const [key, value, message] of bad) {
      const before = w.count(message);
      await etcd.etcdctl('put', key, value);
      await eventually(() => w.count(message) > before, `the error for ${message}`, 30_000);
      expect(pidAlive(w.pid)).toBe(true);
      expect(read(dest)).toBe(`server 10.0.0.${good - 1}:80;\n`);
      if (key !== '/w/addr') await etcd.etcdctl('del', key);
      await etcd.etcdctl('put', '/w/addr', `10.0.0.${good}:80`);
      await eventually(() => read(dest) === `server 10.0.0.${good}:80;\n`, `dest converges to 10.0.0.${good}`, 30_000);
      good += 1;
    }

    // A template that no longer compiles, then one that reads an unknown name: SIGHUP keeps the old configuration.
    for (const [text, message] of [
      ['server {{hostPort "/addr"}};\n{{#if (eq 1 1)}}', /reload failed; keeping the previous configuration.*w\.hbs:\d+:\d+/],
      ['server {{hostPort "/addr"}} {{typo}};\n', /reload failed; keeping the previous configuration.*unknown name \\?"typo\\?"/],
      [`${'{{#if true}}'.repeat(20_000)}`, /reload failed; keeping the previous configuration.*nesting deeper than 100 levels/],
    ] as const) {
      writeFileSync(tpl, text);
      const before = w.count(message);
      w.signal('SIGHUP');
      await eventually(() => w.count(message) > before, `the reload error ${message}`, 30_000);
      expect(pidAlive(w.pid)).toBe(true);
      expect(read(dest)).toBe(`server 10.0.0.${good - 1}:80;\n`);
    }
    // A render that outgrows the limit fails; the daemon lives on.
    writeFileSync(tpl, 'server {{hostPort "/addr"}};\n{{#each (seq 1 10000)}}{{#if (eq (getv "/big" "") "yes")}}xxxxxxxxxx{{/if}}{{/each}}');
    w.signal('SIGHUP');
    await w.waitFor(/configuration reloaded/, 30_000);
    await etcd.etcdctl('put', '/w/big', 'yes');
    await w.waitFor(/the loop's output is larger than the output limit of 64KiB/, 30_000);
    expect(pidAlive(w.pid)).toBe(true);
    expect(read(dest)).toBe(`server 10.0.0.${good - 1}:80;\n`);
    await etcd.etcdctl('put', '/w/big', 'no');
    await etcd.etcdctl('put', '/w/addr', '10.0.0.99:80');
    await eventually(() => read(dest) === 'server 10.0.0.99:80;\n', 'dest converges after the limit', 30_000);
    expect(await w.stop()).toBe(0);
  }, 240_000);
});
