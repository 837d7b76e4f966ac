// A command's output reaches a reader that is slow to read it: a pipe holds
// 64 KiB, the rest waits in the process, which must not exit before it is out.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../harness/cli.js';

let dir: string;
const body = 'server 10.0.0.1:8080;\n'.repeat(15_000);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-slow-reader-'));
  mkdirSync(join(dir, 'templates'));
  writeFileSync(join(dir, 'templates', 'big.hbs'), `${body}port {{getv "/port"}}\n`);
  writeFileSync(join(dir, 'data.yaml'), 'port: 9001\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('output to a slow reader', () => {
  it('render prints all of a 330 KB render to a pipe read only after a second', async () => {
    const res = await runCli(['render', join(dir, 'templates', 'big.hbs'), '--data', join(dir, 'data.yaml')], { readAfterMs: 1_000 });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.length).toBe(body.length + 'port 9001\n'.length);
    expect(res.stdout.endsWith('port 9001\n')).toBe(true);
  });
});
