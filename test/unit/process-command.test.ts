import { describe, expect, it } from 'vitest';
import { CommandError, buildCommandLine, needsShell, runResourceCommand, shellQuote, tailLines } from '../../src/process/command.js';
import { silentLogger } from '../../src/log.js';
import { processesRunning } from '../harness/processes.js';
import { waitFor } from '../harness/wait.js';

const vars = { src: '/etc/nginx/.app.conf.switchyard-stage-0123456789ab', dest: '/etc/nginx/app.conf' };
const run = (cmd: string, timeoutMs = 10_000) => runResourceCommand(cmd, vars, { timeoutMs, logger: silentLogger });

describe('buildCommandLine', () => {
  it('splits a plain command on blanks and substitutes both placeholder spellings', () => {
    expect(buildCommandLine('nginx  -t -c {{src}} -g {{ .dest }}', vars)).toEqual({
      file: 'nginx',
      args: ['-t', '-c', vars.src, '-g', vars.dest],
      shell: false,
    });
    expect(buildCommandLine('check --in={{.src}}', vars).args).toEqual([`--in=${vars.src}`]);
  });

  it('keeps a path with spaces as one argument without a shell', () => {
    const line = buildCommandLine('cat {{src}}', { src: '/tmp/a b/c' });
    expect(line).toEqual({ file: 'cat', args: ['/tmp/a b/c'], shell: false });
  });

  it('leaves unknown placeholders alone', () => {
    expect(buildCommandLine('echo {{other}}', vars).args).toEqual(['{{other}}']);
  });

  it('uses /bin/sh -c for shell syntax and quotes values that need it', () => {
    expect(buildCommandLine('nginx -t && systemctl reload nginx', vars)).toEqual({
      file: '/bin/sh',
      args: ['-c', 'nginx -t && systemctl reload nginx'],
      shell: true,
    });
    const line = buildCommandLine('cat {{src}} | grep x', { src: "/tmp/it's here" });
    expect(line.args[1]).toBe(`cat '/tmp/it'\\''s here' | grep x`);
  });

  it('rejects an empty command', () => {
    expect(() => buildCommandLine('   ', vars)).toThrow(/empty command/);
  });
});

describe('needsShell', () => {
  it.each([
    'a | b', 'a && b', 'a; b', 'a > out', 'echo $HOME', 'echo "x y"', "echo 'x'", 'ls *.conf',
    'FOO=1 cmd', 'echo `id`', 'a || b', 'cmd 2>&1', 'echo ~', '! false',
  ])('detects shell syntax in %s', (cmd) => expect(needsShell(cmd)).toBe(true));

  it.each(['nginx -t -c {{src}}', 'systemctl reload nginx', 'haproxy -c -f {{.src}}', 'cmd --opt=value a/b.c'])(
    'runs %s without a shell',
    (cmd) => expect(needsShell(cmd)).toBe(false),
  );
});

describe('shellQuote / tailLines', () => {
  it('quotes only when needed', () => {
    expect(shellQuote('/etc/nginx/app.conf')).toBe('/etc/nginx/app.conf');
    expect(shellQuote('a b')).toBe(`'a b'`);
  });
  it('keeps the last lines', () => {
    expect(tailLines('1\n2\n3\n4\n', 2)).toBe('3\n4');
  });
});

describe('runResourceCommand', () => {
  it('returns the output of a successful command, with placeholders substituted', async () => {
    const result = await run('echo {{src}} {{dest}}');
    expect(result.stdout.trim()).toBe(`${vars.src} ${vars.dest}`);
  });

  it('runs shell commands through sh', async () => {
    const result = await run('echo one && echo two >&2');
    expect(result.stdout.trim()).toBe('one');
    expect(result.stderr.trim()).toBe('two');
  });

  it('throws a CommandError with exit code and output tails', async () => {
    const err = await run('echo out; echo bad >&2; exit 3').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    const ce = err as CommandError;
    expect(ce.exitCode).toBe(3);
    expect(ce.timedOut).toBe(false);
    expect(ce.stderrTail).toBe('bad');
    expect(ce.stdoutTail).toBe('out');
    expect(ce.message).toMatch(/exited with code 3; stderr: bad; stdout: out/);
  });

  it('times out', async () => {
    const err = (await run('sleep 30', 300).catch((e: unknown) => e)) as CommandError;
    expect(err).toBeInstanceOf(CommandError);
    expect(err.timedOut).toBe(true);
    expect(err.message).toMatch(/timed out/);
  });

  it('ends what a timed-out shell command started', async () => {
    // A duration no other run on this machine uses; sleep's output goes
    // elsewhere, so only the kill of the whole group can end it in time.
    const sleep = `sleep 31.${process.pid}`;
    const err = (await run(`${sleep} >/dev/null 2>&1 | cat`, 300).catch((e: unknown) => e)) as CommandError;
    expect(err.timedOut).toBe(true);
    const ended = await waitFor(`${sleep} to end`, () => processesRunning(sleep).length === 0, 3_000).catch(() => false);
    const left = processesRunning(sleep);
    for (const p of left) process.kill(p.pid, 'SIGKILL');
    expect(ended === false ? left : []).toEqual([]);
  });

  it('reports a program that does not exist', async () => {
    const err = (await run('/nonexistent/program -x').catch((e: unknown) => e)) as CommandError;
    expect(err).toBeInstanceOf(CommandError);
    expect(err.exitCode).toBeUndefined();
    expect(err.message).toMatch(/could not start.*ENOENT/);
  });
});
