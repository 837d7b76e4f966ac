// `switchyard render` with the run's render limits: --render-max-output and
// --render-timeout (and their SWITCHYARD_* variables) through the built CLI.
// Past a limit the render fails naming the template and the limit, and
// writes nothing; the same render passes once the flag raises the limit.
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../harness/cli.js';

const setup = (template: string) => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-render-limits-'));
  const tpl = join(dir, 'big.hbs');
  const data = join(dir, 'data.yaml');
  const out = join(dir, 'out.conf');
  writeFileSync(tpl, template);
  // 179 characters and a newline per line of output.
  writeFileSync(data, `app:\n  line: ${'x'.repeat(179)}\n`);
  return { tpl, data, out, args: ['render', tpl, '--data', data, '--prefix', '/app', '--out', out] };
};

// 100,000 lines of 180 characters: about 17.2 MiB, past the default of 16 MiB.
const BIG = '{{#each (seq 1 100000)}}{{getv "/line"}}\n{{/each}}';
const BIG_SIZE = 100_000 * 180;

describe('render limits of switchyard render', () => {
  it('fails past the default output limit naming the template and the limit; --render-max-output raises it', async () => {
    const { tpl, out, args } = setup(BIG);
    const over = await runCli(args, { timeoutMs: 120_000 });
    expect(over.code, over.stderr).toBe(1);
    expect(over.stderr).toMatch(new RegExp(`render failed: ${tpl.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:1:\\d+: each: the loop's output is larger than the output limit of 16MiB \\(--render-max-output\\)`));
    expect(existsSync(out)).toBe(false);

    const raised = await runCli([...args, '--render-max-output', '32MiB'], { timeoutMs: 120_000 });
    expect(raised.code, raised.stderr).toBe(0);
    expect(statSync(out).size).toBe(BIG_SIZE);
  }, 240_000);

  it('takes the limit from SWITCHYARD_RENDER_MAX_OUTPUT, and the flag over it', async () => {
    const { tpl, out, args } = setup('{{#each (seq 1 1000)}}{{getv "/line"}}\n{{/each}}');
    const env = { SWITCHYARD_RENDER_MAX_OUTPUT: '64KiB' };
    const over = await runCli(args, { env });
    expect(over.code, over.stderr).toBe(1);
    expect(over.stderr).toContain(`${tpl}:1:`);
    expect(over.stderr).toContain('the output limit of 64KiB (--render-max-output)');
    expect(existsSync(out)).toBe(false);
    const raised = await runCli([...args, '--render-max-output', '256KiB'], { env });
    expect(raised.code, raised.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toHaveLength(180_000);
  });

  it('fails past --render-timeout naming the template and the limit; a longer one lets it pass', async () => {
    // 200,000 steps cannot run within a millisecond.
    const { tpl, out, args } = setup('{{#each (seq 1 100000)}}{{#if (eq this 100000)}}last={{this}}{{/if}}{{/each}}\n');
    const over = await runCli([...args, '--render-timeout', '1ms']);
    expect(over.code, over.stderr).toBe(1);
    expect(over.stderr).toContain(`${tpl}:1:`);
    expect(over.stderr).toMatch(/render took longer than 1 ms \(render timeout, --render-timeout\)/);
    expect(existsSync(out)).toBe(false);
    const raised = await runCli([...args, '--render-timeout', '5m']);
    expect(raised.code, raised.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('last=100000\n');
  });

  it('refuses a bad limit as the run does (exit 2), naming the flag or the variable', async () => {
    const { args } = setup('x\n');
    const flag = await runCli([...args, '--render-timeout', 'soon']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('configuration error: --render-timeout: "soon" is not a duration');
    const env = await runCli(args, { env: { SWITCHYARD_RENDER_MAX_OUTPUT: '12 parsecs' } });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('configuration error: SWITCHYARD_RENDER_MAX_OUTPUT: "12 parsecs" is not a size such as 16MiB');
  });

  it('documents the limits in render --help with the run\'s defaults', async () => {
    const help = await runCli(['render', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Render limits[^\n]*SWITCHYARD_RENDER_TIMEOUT, SWITCHYARD_RENDER_MAX_OUTPUT/);
    expect(help.stdout).toMatch(/--render-timeout\s+time limit of one template render \[default: 10s\]/);
    expect(help.stdout).toMatch(/--render-max-output\s+size limit of one rendered file[^[]*\[default:\s+16MiB\]/);
  });
});
