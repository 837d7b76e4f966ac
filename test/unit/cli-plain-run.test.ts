// The plain run's command line, read without yargs, must give the run the
// same flags yargs gives it; whatever it cannot read the same way it leaves
// to yargs (undefined).
import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { addRunOptions } from '../../src/cli/run-command.js';
import { givenFlags } from '../../src/cli/options.js';
import { plainRunArgs } from '../../src/cli/plain-run.js';

/** What the run gets from yargs for these arguments (the default command's options, strict). */
const throughYargs = (args: string[]): Record<string, unknown> =>
  givenFlags(addRunOptions(yargs(args)).strict().fail((msg) => { throw new Error(msg); }).parseSync() as Record<string, unknown>);

const plain = (args: string[]): Record<string, unknown> | undefined => {
  const flags = plainRunArgs(args);
  return flags && givenFlags(flags);
};

describe('a plain run read without yargs', () => {
  it.each([
    [['--onetime', '--backend', 'etcd', '--node', 'http://127.0.0.1:2379', '--confdir', '/etc/switchyard', '--log-level', 'error']],
    [['--onetime', '--node=http://a:2379', '--node', 'http://b:2379', '--confdir=/c', '--sync-only', '--noop']],
    [['--watch', '--interval', '60', '--prefix', '', '--history-keep', '12', '--file', 'a.yaml', '--file=b.json']],
    [['--backend', 'consul', '--auth-token', 'x=y', '--dest-dirs', '/etc/nginx', '--render-max-output', '1MiB', '--strict']],
    [['--history-keep=0', '--wait', '1s:5s', '--prefix', '123']],
    [[]],
  ])('gives the run what yargs gives it: %j', (args) => {
    expect(plain(args)).toEqual(throughYargs(args));
  });

  it.each([
    [['--version']],
    [['--help']],
    [['-h']],
    [['render', 'web']],
    [['--onetime', 'extra']],
    [['--onetime', 'false']],
    [['--onetime=true']],
    [['--no-onetime']],
    [['--confdir']],
    [['--confdir', '--onetime']],
    [['--confdir', 'a', '--confdir', 'b']],
    [['--history-keep', '1e3']],
    [['--history-keep', '-1']],
    [['--confDir', '/x']],
    [['--bogus']],
    [['--', '--onetime']],
  ])('leaves %j to yargs', (args) => {
    expect(plainRunArgs(args)).toBeUndefined();
  });
});
