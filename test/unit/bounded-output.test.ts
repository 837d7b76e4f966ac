import { describe, expect, it } from 'vitest';
import { BoundedOutput } from '../../src/process/bounded-output.js';
import { commandEnv, SECRET_ENV_NAMES } from '../../src/process/command-env.js';
import { addSecret, createLogger } from '../../src/log.js';

describe('BoundedOutput', () => {
  it('keeps everything up to twice the limit', () => {
    const out = new BoundedOutput(4);
    for (const c of ['ab', 'cdef', 'gh']) out.push(Buffer.from(c));
    expect(out.toString()).toBe('abcdefgh');
    expect(out.bytes).toBe(8);
  });

  it('keeps the head and the tail and counts what it drops', () => {
    const out = new BoundedOutput(4);
    for (let i = 0; i < 1000; i += 1) out.push(Buffer.from('0123456789'));
    expect(out.bytes).toBe(10_000);
    expect(out.toString()).toBe('0123\n… 9992 bytes omitted …\n6789');
  });

  it('never starts the tail inside a UTF-8 sequence', () => {
    const out = new BoundedOutput(4);
    out.push(Buffer.from('abcd' + 'x'.repeat(10) + 'éxyz'));
    expect(out.toString()).toBe('abcd\n… 12 bytes omitted …\nxyz');
  });
});

describe('secrets', () => {
  const secret = 'u"nit\\sëcret-LM33';
  addSecret(secret);

  it('are masked in text and JSON lines, in fields at any depth, before escaping', () => {
    const lines: string[] = [];
    for (const format of ['text', 'json'] as const) {
      const log = createLogger({ format, write: (l) => lines.push(l) });
      log.error(`message with ${secret}`, { error: new Error(`failed: ${secret}`), nested: { list: [secret, `x${secret}y`] }, url: encodeURIComponent(secret) });
    }
    const all = lines.join('\n');
    expect(all).toContain('***');
    expect(all).not.toContain('LM33');
  });

  it('and their variables stay out of a command environment', () => {
    const env = commandEnv({ PATH: '/bin', SWITCHYARD_PASSWORD: 'x', CONSUL_HTTP_TOKEN: 'y', SOMETHING: `a${secret}b` });
    expect(env).toEqual({ PATH: '/bin' });
    expect(SECRET_ENV_NAMES).toContain('ETCDCTL_PASSWORD');
  });
});
