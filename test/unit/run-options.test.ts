import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { resolveRenderLimits, resolveRunOptions } from '../../src/config/run-options.js';
import { ConfigError } from '../../src/errors.js';

let confdir: string;
beforeEach(async () => {
  confdir = await mkdtemp(join(tmpdir(), 'sy-opts-'));
});

describe('run options', () => {
  it('has the documented defaults', async () => {
    const o = await resolveRunOptions({ confdir }, {});
    expect(o).toMatchObject({ backend: 'etcd', nodes: [], prefix: '', mode: 'watch', noop: false, logLevel: 'info', logFormat: 'text' });
  });

  it('lets flags win over SWITCHYARD_* variables, and those over switchyard.toml', async () => {
    await writeFile(join(confdir, 'switchyard.toml'), 'backend = "consul"\nprefix = "/file"\nlog_level = "warn"\nnodes = ["http://file:1"]\n');
    const env = { SWITCHYARD_PREFIX: '/env', SWITCHYARD_LOG_LEVEL: 'debug' };
    const o = await resolveRunOptions({ confdir, logLevel: 'error' }, env);
    expect(o.backend).toBe('consul');
    expect(o.prefix).toBe('/env');
    expect(o.logLevel).toBe('error');
    expect(o.nodes).toEqual(['http://file:1']);
  });

  it('takes the password from SWITCHYARD_PASSWORD and the Consul token from CONSUL_HTTP_TOKEN', async () => {
    const o = await resolveRunOptions({ confdir }, { SWITCHYARD_PASSWORD: 's3cret', CONSUL_HTTP_TOKEN: 'tok' });
    expect(o.password).toBe('s3cret');
    expect(o.authToken).toBe('tok');
  });

  it('resolves file paths in switchyard.toml against the file', async () => {
    await writeFile(join(confdir, 'switchyard.toml'), 'backend = "file"\nfiles = ["data.yaml"]\n');
    const o = await resolveRunOptions({ confdir }, {});
    expect(o.files).toEqual([join(confdir, 'data.yaml')]);
  });

  it('resolves history_dir in switchyard.toml against the file, and --history-dir against the working directory', async () => {
    await writeFile(join(confdir, 'switchyard.toml'), 'history_dir = "out/history"\n');
    expect((await resolveRunOptions({ confdir }, {})).historyDir).toBe(join(confdir, 'out/history'));
    await writeFile(join(confdir, 'switchyard.toml'), 'history_dir = "/var/tmp/h"\n');
    expect((await resolveRunOptions({ confdir }, {})).historyDir).toBe('/var/tmp/h');
    expect((await resolveRunOptions({ confdir, historyDir: 'h' }, {})).historyDir).toBe(join(process.cwd(), 'h'));
  });

  it('picks the mode from --onetime / --interval', async () => {
    expect((await resolveRunOptions({ confdir, onetime: true }, {})).mode).toBe('onetime');
    expect(await resolveRunOptions({ confdir, interval: 5 }, {})).toMatchObject({ mode: 'interval', intervalSeconds: 5 });
    await expect(resolveRunOptions({ confdir, onetime: true, interval: 5 }, {})).rejects.toThrow(/exclude/);
  });

  it.each([
    [{ backend: 'zookeeper' }, /backend.*one of etcd, consul, file, env/],
    [{ logLevel: 'loud' }, /log-level/],
    [{ wait: '1s:100ms' }, /shorter/],
    [{ backend: 'file' }, /needs at least one --file/],
  ])('rejects %o', async (flags, pattern) => {
    const err = await resolveRunOptions({ confdir, ...flags }, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(String((err as Error).message) + ' ' + String((err as ConfigError).key)).toMatch(pattern);
  });

  it("accepts confd's backend names and confd.toml's spellings", async () => {
    expect((await resolveRunOptions({ confdir, backend: 'etcdv3' }, {})).backend).toBe('etcd');
    await writeFile(
      join(confdir, 'switchyard.toml'),
      'backend = "etcdv3"\nnodes = ["http://10.0.0.1:2379"]\nlog-level = "debug"\nclient_cert = "c.pem"\nclient_cakeys = "ca.pem"\nsync-only = true\n',
    );
    expect(await resolveRunOptions({ confdir }, {})).toMatchObject({
      backend: 'etcd',
      nodes: ['http://10.0.0.1:2379'],
      logLevel: 'debug',
      clientCert: 'c.pem',
      clientCaKeys: 'ca.pem',
      syncOnly: true,
    });
  });

  it.each([
    ['srv_domain = "example.com"\n', 'srv_domain', /DNS SRV/],
    ['log_levle = "debug"\n', 'log_levle', /unknown key \(did you mean log_level\?\)/],
    ['log-level = "debug"\nlog_level = "info"\n', 'log_level', /given twice/],
  ])('answers %j in switchyard.toml with the right name', async (text, key, pattern) => {
    await writeFile(join(confdir, 'switchyard.toml'), text);
    const err = await resolveRunOptions({ confdir }, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).key).toBe(key);
    expect((err as Error).message).toMatch(pattern);
  });

  it('rejects an unknown key in switchyard.toml, naming it', async () => {
    const file = join(confdir, 'switchyard.toml');
    await writeFile(file, 'bakend = "etcd"\n');
    const err = (await resolveRunOptions({ confdir }, {}).catch((e: unknown) => e)) as ConfigError;
    expect(err.message).toContain(file);
    expect(err.key).toBe('bakend');
  });

  it('fails when an explicit --config-file is missing', async () => {
    await expect(resolveRunOptions({ confdir, configFile: join(confdir, 'nope.toml') }, {})).rejects.toThrow(/not found/);
  });
});

describe("render's limits", () => {
  it('have the run\'s defaults, and flags win over SWITCHYARD_* variables as in the run', async () => {
    const run = await resolveRunOptions({ confdir }, {});
    expect(resolveRenderLimits({}, {})).toEqual(run.renderLimits);
    expect(run.renderLimits).toEqual({ timeoutMs: 10_000, maxOutput: 16 * 1024 * 1024 });
    const env = { SWITCHYARD_RENDER_TIMEOUT: '2s', SWITCHYARD_RENDER_MAX_OUTPUT: '1KiB' };
    expect(resolveRenderLimits({}, env)).toEqual({ timeoutMs: 2_000, maxOutput: 1024 });
    const flags = { renderTimeout: '500ms', renderMaxOutput: '2MiB' };
    expect(resolveRenderLimits(flags, env)).toEqual({ timeoutMs: 500, maxOutput: 2 * 1024 * 1024 });
    expect(resolveRenderLimits(flags, env)).toEqual((await resolveRunOptions({ confdir, ...flags }, env)).renderLimits);
  });

  it('refuse what the run refuses, naming the flag or the variable', async () => {
    for (const [flags, env, message] of [
      [{ renderTimeout: 'soon' }, {}, '--render-timeout: "soon" is not a duration'],
      [{ renderTimeout: '0s' }, {}, '--render-timeout: "0s" is not a duration'],
      [{ renderMaxOutput: '12 parsecs' }, {}, '--render-max-output: "12 parsecs" is not a size such as 16MiB'],
      [{ renderMaxOutput: '0' }, {}, '--render-max-output: "0" is not a size such as 16MiB'],
      [{}, { SWITCHYARD_RENDER_MAX_OUTPUT: 'lots' }, 'SWITCHYARD_RENDER_MAX_OUTPUT: "lots" is not a size such as 16MiB'],
    ] as const) {
      expect(() => resolveRenderLimits(flags, env)).toThrow(ConfigError);
      expect(() => resolveRenderLimits(flags, env)).toThrow(message);
      await expect(resolveRunOptions({ confdir, ...flags }, env)).rejects.toThrow(message);
    }
  });
});
