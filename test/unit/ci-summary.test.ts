// .ci/test-summary: CI's closing line from vitest's output. Skipped, todo
// and expected-fail tests did not run as tests, so CI fails on them; the
// contract cases a backend does not support are listed.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../harness/cli.js';

const SAMPLES = join(REPO, 'test/fixtures/vitest-output');

const summarize = (input: string): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    const child = execFile(join(REPO, '.ci/test-summary'), (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input);
  });
const sample = (name: string): Promise<string> => readFile(join(SAMPLES, `${name}.txt`), 'utf8');

describe('.ci/test-summary', () => {
  it('closes with "N passed, M failed" and lists unsupported contract cases', async () => {
    const r = await summarize(await sample('passed'));
    expect(r.stdout).toBe('not supported by memory: sees a put through a watch (it has no watch)\n2 passed, 0 failed\n');
    expect(r.code).toBe(0);
  });

  it.each([
    ['todo', '1 passed, 0 failed, 1 todo\n'],
    ['expected-fail', '1 passed, 0 failed, 1 expected fail\n'],
    ['mixed', '1 passed, 1 failed, 1 expected fail, 1 skipped, 1 todo\n'],
  ])('fails on the tests that did not run: %s', async (name, line) => {
    const r = await summarize(await sample(name));
    expect(r.stdout).toBe(line);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/tests that did not run: \d/);
  });

  it('adds up the runs (suite, then system tests)', async () => {
    const r = await summarize((await sample('passed')) + (await sample('todo')));
    expect(r.stdout.split('\n').at(-2)).toBe('3 passed, 0 failed, 1 todo');
    expect(r.code).toBe(1);
  });

  it('fails when there is no vitest summary at all', async () => {
    const r = await summarize('npm ERR! something broke before the tests\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no vitest summary');
  });

  // The same logic on the output of the vitest installed here, so a change of its format shows.
  it('counts it.todo and it.fails of a throwaway vitest run as not run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-ci-summary-'));
    try {
      await writeFile(join(dir, 'vitest.config.mjs'), 'export default {};\n');
      await writeFile(
        join(dir, 'throwaway.test.ts'),
        [
          "import { expect, it } from 'vitest';",
          "it('runs', () => expect(1).toBe(1));",
          "it.todo('is only a name');",
          "it.fails('passes because it fails', () => expect(1).toBe(2));",
          '',
        ].join('\n'),
      );
      const output = await new Promise<string>((resolve) => {
        execFile(join(REPO, 'node_modules/.bin/vitest'), ['run', '--root', dir], { cwd: dir, timeout: 60_000 }, (_err, stdout, stderr) =>
          resolve(stdout + stderr),
        );
      });
      const r = await summarize(output);
      // Quoted, so that a failure message does not feed a second summary line to CI.
      expect(r.stdout, output.replace(/^/gm, '> ')).toBe('1 passed, 0 failed, 1 expected fail, 1 todo\n');
      expect(r.code).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
