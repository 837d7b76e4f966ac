import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadResourceFile, loadResources } from '../../src/config/load-resources.js';
import { ConfigError } from '../../src/errors.js';

let confdir: string;
const write = async (name: string, text: string): Promise<string> => {
  const file = join(confdir, 'conf.d', name);
  await writeFile(file, text);
  return file;
};

beforeEach(async () => {
  confdir = await mkdtemp(join(tmpdir(), 'sy-conf-'));
  await mkdir(join(confdir, 'conf.d'));
  await mkdir(join(confdir, 'templates'));
  for (const name of ['a', 'b', 'app.hbs']) await writeFile(join(confdir, 'templates', name), 'x\n');
});

describe('conf.d resources', () => {
  it('loads a confd-style resource and joins the global prefix', async () => {
    const file = await write(
      'app.toml',
      `[template]
src = "app.hbs"
dest = "/etc/nginx/app.conf"
prefix = "/app"
keys = ["/live", "blue"]
mode = "0640"
uid = 0
gid = 0
check_cmd = "nginx -t -c {{src}}"
reload_cmd = "nginx -s reload"
wait = "200ms:2s"
`,
    );
    const r = await loadResourceFile(file, confdir, '/prod');
    expect(r).toMatchObject({
      name: 'app.toml',
      src: join(confdir, 'templates', 'app.hbs'),
      dest: '/etc/nginx/app.conf',
      prefix: '/prod/app',
      paths: ['/prod/app/live', '/prod/app/blue'],
      mode: 0o640,
      uid: 0,
      gid: 0,
      checkCmd: 'nginx -t -c {{src}}',
      reloadCmd: 'nginx -s reload',
      wait: { minMs: 200, maxMs: 2000 },
    });
  });

  it('maps owner and group names to ids', async () => {
    const file = await write('o.toml', '[template]\nsrc="a"\ndest="/x"\nkeys=["/a"]\nowner="root"\ngroup="root"\n');
    expect(await loadResourceFile(file, confdir, '')).toMatchObject({ uid: 0, gid: 0, prefix: '/' });
  });

  it('names the resource file and its src key when the template is missing', async () => {
    const file = await write('gone.toml', '[template]\nsrc="missing.hbs"\ndest="/x"\nkeys=["/a"]\n');
    const err = await loadResourceFile(file, confdir, '').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).file).toBe(file);
    expect((err as ConfigError).key).toBe('template.src');
    expect((err as Error).message).toContain(`template ${join(confdir, 'templates', 'missing.hbs')} not found (src is relative to ${join(confdir, 'templates')})`);
  });

  it('hints at the parent directory when --confdir names conf.d itself', async () => {
    const err = await loadResources(join(confdir, 'conf.d'), '').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(`use --confdir ${confdir}`);
  });

  it('says what --confdir must hold when the directory is not there', async () => {
    const err = await loadResources(join(confdir, 'nowhere'), '').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/nowhere\/conf\.d: cannot read the resource directory: ENOENT.*; give --confdir DIR, the directory that holds conf\.d\/\*\.toml and templates\//);
  });

  it('rejects an unknown key, naming the file and the key', async () => {
    const file = await write('typo.toml', '[template]\nsrc="a"\ndest="/x"\nkeys=["/a"]\nreload_command="x"\n');
    const err = await loadResourceFile(file, confdir, '').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain(file);
    expect((err as ConfigError).key).toBe('template.reload_command');
  });

  it('reports TOML syntax errors with line and column', async () => {
    const file = await write('bad.toml', '[template]\nsrc = \n');
    const err = (await loadResourceFile(file, confdir, '').catch((e: unknown) => e)) as ConfigError;
    expect(err.message).toMatch(new RegExp(`${file}: 2:\\d+: invalid TOML`));
  });

  it.each([
    ['src', '[template]\ndest="/x"\nkeys=["/a"]\n', /src.*required/],
    ['mode', '[template]\nsrc="a"\ndest="/x"\nkeys=["/a"]\nmode="rw-r--r--"\n', /octal/],
    ['wait', '[template]\nsrc="a"\ndest="/x"\nkeys=["/a"]\nwait="soon"\n', /not a duration/],
    ['owner', '[template]\nsrc="a"\ndest="/x"\nkeys=["/a"]\nowner="no-such-user-here"\n', /no such user/],
    ['keys type', '[template]\nsrc="a"\ndest="/x"\nkeys=[1, 2]\n', /list of strings/],
  ])('rejects a bad %s', async (_what, text, pattern) => {
    const file = await write('r.toml', text);
    const err = (await loadResourceFile(file, confdir, '').catch((e: unknown) => e)) as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(pattern);
    expect(err.message).toContain(file);
  });

  it('loads every conf.d/*.toml in name order and resolves a relative dest against the confdir', async () => {
    await write('b.toml', '[template]\nsrc="b"\ndest="out/b"\nkeys=["/b"]\n');
    await write('a.toml', '[template]\nsrc="a"\ndest="/a"\nkeys=["/a"]\n');
    await write('notes.txt', 'ignored');
    const rs = await loadResources(confdir, '');
    expect(rs.map((r) => r.name)).toEqual(['a.toml', 'b.toml']);
    expect(rs[1]?.dest).toBe(join(confdir, 'out/b'));
  });
});
