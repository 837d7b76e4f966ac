// The confd corpus rendered by the real confd (-onetime, etcd v3) and, after
// `switchyard migrate confd`, by switchyard from the same etcd: every output
// must be byte-identical.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../harness/cli.js';
import { startEtcd, type EtcdServer } from '../harness/etcd.js';
import { copyCorpus, corpusData, takeOutputs, type CorpusCopy } from '../harness/migrate-corpus.js';
import { peerBinary } from '../harness/peers.js';

const execFileP = promisify(execFile);
const ENV = { MIGRATE_CORPUS_ENV: 'from-the-environment' };

let etcd: EtcdServer;
let corpus: CorpusCopy;
let confdOutputs: Map<string, Buffer>;
let switchyardOutputs: Map<string, Buffer>;
let migrateReport: string;
let migrateCode: number | null;

beforeAll(async () => {
  const confd = await peerBinary('confd');
  etcd = await startEtcd();
  for (const [key, value] of Object.entries(corpusData('confd'))) await etcd.etcdctl('put', key, value);
  corpus = copyCorpus('confd');
  await execFileP(confd, ['-onetime', '-confdir', corpus.src, '-backend', 'etcdv3', '-node', etcd.endpoint, '-log-level', 'error'], {
    env: { ...process.env, ...ENV },
    timeout: 60_000,
  });
  confdOutputs = takeOutputs(corpus.out);
  const dest = join(corpus.root, 'switchyard');
  const migrated = await runCli(['migrate', 'confd', corpus.src, dest]);
  migrateCode = migrated.code;
  migrateReport = migrated.stdout + migrated.stderr;
  const run = await runCli(['--onetime', '--confdir', dest, '--backend', 'etcd', '--node', etcd.endpoint, '--log-level', 'error'], { env: ENV });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  switchyardOutputs = takeOutputs(corpus.out);
}, 600_000);

afterAll(async () => {
  await etcd?.stop();
  corpus?.remove();
});

const resources = readdirSync(join(import.meta.dirname, '../fixtures/migrate/confd/conf.d')).map((n) => n.replace(/\.toml$/, '.out'));

describe('switchyard migrate confd, against the real confd', () => {
  it('converts the whole corpus (at least 12 templates) with nothing left over', () => {
    expect(resources.length).toBeGreaterThanOrEqual(12);
    expect(migrateReport).toContain(`${resources.length} of ${resources.length} resources written; 0 constructs not converted`);
    expect(migrateCode).toBe(0);
  });

  it('confd rendered every resource', () => {
    expect([...confdOutputs.keys()]).toEqual(resources);
  });

  it.each(resources)('%s renders byte-identical to confd', (name) => {
    const ours = switchyardOutputs.get(name)?.toString('utf8');
    expect(ours).toBe(confdOutputs.get(name)?.toString('utf8'));
  });

  it('writes the templates under the go-whitespace pragma, and keeps confd’s dest', () => {
    const dest = join(corpus.root, 'switchyard');
    const toml = readFileSync(join(dest, 'conf.d/01-nginx-upstream.toml'), 'utf8');
    expect(toml).toContain(`dest = "${corpus.out}/01-nginx-upstream.out"`);
    expect(toml).toContain('src = "nginx-upstream.conf.hbs"');
    expect(readFileSync(join(dest, 'templates/nginx-upstream.conf.hbs'), 'utf8')).toMatch(/^\{\{!-- switchyard:go-whitespace --\}\}upstream/);
  });
});
