// The consul-template corpus rendered by the real consul-template (-once)
// and, after `switchyard migrate consul-template`, by switchyard from the same
// Consul (KV and catalog services): every output must be byte-identical.
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../harness/cli.js';
import { startConsul, type ConsulServer, type ServiceRegistration } from '../harness/consul.js';
import { CORPUS, copyCorpus, corpusData, takeOutputs, type CorpusCopy } from '../harness/migrate-corpus.js';
import { peerBinary } from '../harness/peers.js';

const execFileP = promisify(execFile);
const ENV = { MIGRATE_CORPUS_ENV: 'from-the-environment' };

let consul: ConsulServer;
let corpus: CorpusCopy;
let peerOutputs: Map<string, Buffer>;
let peerModes: Map<string, number>;
let ours: Map<string, Buffer>;
let ourModes: Map<string, number>;
let migrated: { code: number | null; report: string };

const modesOf = (dir: string, names: Iterable<string>): Map<string, number> =>
  new Map([...names].map((n) => [n, statSync(join(dir, n)).mode & 0o777]));

const outputNames = (): string[] =>
  [...readFileSync(join(CORPUS, 'consul-template/config.hcl'), 'utf8').matchAll(/destination\s*=\s*"@OUT@\/([^"]+)"/g)].map((m) => m[1] as string).sort();

beforeAll(async () => {
  const consulTemplate = await peerBinary('consul-template');
  consul = await startConsul();
  for (const [key, value] of Object.entries(corpusData('consul-template', 'kv.json'))) await consul.kvPut(key, value);
  const services = JSON.parse(readFileSync(join(CORPUS, 'consul-template/services.json'), 'utf8')) as ServiceRegistration[];
  for (const service of services) await consul.registerService(service);
  corpus = copyCorpus('consul-template', { CONSUL: consul.address.replace(/^https?:\/\//, '') });
  const config = join(corpus.src, 'config.hcl');
  await execFileP(consulTemplate, ['-config', config, '-once'], { env: { ...process.env, ...ENV }, timeout: 60_000 });
  peerModes = modesOf(corpus.out, outputNames());
  peerOutputs = takeOutputs(corpus.out);
  const dest = join(corpus.root, 'switchyard');
  const migration = await runCli(['migrate', 'consul-template', config, dest]);
  migrated = { code: migration.code, report: migration.stdout + migration.stderr };
  const run = await runCli(['--onetime', '--confdir', dest], { env: ENV });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  ourModes = modesOf(corpus.out, outputNames());
  ours = takeOutputs(corpus.out);
}, 600_000);

afterAll(async () => {
  await consul?.stop();
  corpus?.remove();
});

const names = outputNames();

describe('switchyard migrate consul-template, against the real consul-template', () => {
  it('converts the whole corpus (at least 10 templates) with nothing left over', () => {
    expect(names.length).toBeGreaterThanOrEqual(10);
    expect(migrated.report).toContain(`${names.length} of ${names.length} resources written; 0 constructs not converted`);
    expect(migrated.code).toBe(0);
  });

  it('consul-template rendered every template', () => {
    expect([...peerOutputs.keys()]).toEqual(names);
  });

  it.each(names)('%s renders byte-identical to consul-template', (name) => {
    expect(ours.get(name)?.toString('utf8')).toBe(peerOutputs.get(name)?.toString('utf8'));
  });

  it('keeps perms as the file mode', () => {
    expect(peerModes.get('kv.out')).toBe(0o640);
    expect(ourModes.get('kv.out')).toBe(0o640);
  });

  it('writes the consul address into switchyard.toml and no keys into the resources', () => {
    const dest = join(corpus.root, 'switchyard');
    expect(readFileSync(join(dest, 'switchyard.toml'), 'utf8')).toContain(`nodes = [ "${consul.address}" ]`);
    expect(readFileSync(join(dest, 'conf.d/service.toml'), 'utf8')).not.toContain('keys');
  });
});
