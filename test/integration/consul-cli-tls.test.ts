// `switchyard --onetime --backend consul` over plain HTTP and over TLS with a
// client certificate, against real agents: what each run loads of Node's TLS
// modules (none without TLS) and what it renders.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../harness/cli.js';
import { makeConfdir, type Confdir } from '../harness/confdir.js';
import { startConsul, type ConsulServer } from '../harness/consul.js';

let work: string;
let preload: string;
let plain: ConsulServer;
let secure: ConsulServer;
let conf: Confdir;
let dest: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'switchyard-consul-tls-'));
  preload = join(work, 'record-builtins.cjs');
  // Loaded with --require: writes the built-in modules the run loaded when it exits.
  writeFileSync(
    preload,
    `process.on('exit', () => require('node:fs').writeFileSync(process.env.BUILTINS_OUT, JSON.stringify(process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)))));\n`,
  );
  [plain, secure] = await Promise.all([startConsul(), startConsul({ tls: true })]);
  await Promise.all([plain.kvPut('/pool/a', '10.0.0.1:80'), secure.kvPut('/pool/a', '10.0.0.2:443')]);
  conf = makeConfdir();
  dest = join(conf.dir, 'pool.conf');
  conf.addResource({ name: 'pool', template: '{{#each (gets "/pool/*")}}server {{value}};\n{{/each}}', fields: { dest, keys: ['/pool'] } });
});

afterAll(async () => {
  await Promise.all([plain?.stop(), secure?.stop()]);
  rmSync(work, { recursive: true, force: true });
  if (conf) rmSync(conf.dir, { recursive: true, force: true });
});

const onetime = async (args: string[]): Promise<{ result: CliResult; builtins: string[] }> => {
  const out = join(work, `builtins-${Math.random().toString(16).slice(2)}.json`);
  const result = await runCli(['--onetime', '--backend', 'consul', '--confdir', conf.dir, ...args], {
    env: { BUILTINS_OUT: out, NODE_OPTIONS: `--require ${preload}` },
  });
  return { result, builtins: JSON.parse(readFileSync(out, 'utf8')) as string[] };
};

describe('consul one-shot runs', () => {
  it('over http: renders without loading node:http, node:https or node:tls', async () => {
    const { result, builtins } = await onetime(['--node', plain.address]);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(dest, 'utf8')).toBe('server 10.0.0.1:80;\n');
    // switchyard's own HTTP/1.1 client over node:net: neither node:http (its agent, parser, server) nor TLS.
    expect(builtins).toContain('net');
    expect(builtins.filter((m) => /^(http|https|tls|_http_\w+)$/.test(m))).toEqual([]);
  });

  it('over TLS: renders with the client certificate, and fails naming the key without it', async () => {
    const tls = secure.tls!;
    const { result } = await onetime(['--node', secure.address, '--client-ca-keys', tls.ca, '--client-cert', tls.clientCert, '--client-key', tls.clientKey]);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(dest, 'utf8')).toBe('server 10.0.0.2:443;\n');
    // A host:port without a scheme is https once client TLS is configured.
    const hostPort = secure.address.replace(/^https:\/\//, '');
    const again = await onetime(['--node', hostPort, '--client-ca-keys', tls.ca, '--client-cert', tls.clientCert, '--client-key', tls.clientKey]);
    expect(again.result.code, again.result.stderr).toBe(0);
    expect(again.builtins).toContain('tls');
    expect(again.builtins).not.toContain('https');
    const noCert = await onetime(['--node', secure.address, '--client-ca-keys', tls.ca]);
    expect(noCert.result.code).toBe(1);
    expect(noCert.result.stderr).toContain(`consul at ${secure.address}: reading key "pool" failed`);
  });
});
