import { describe, expect, it } from 'vitest';
import { confdArgs } from '../../src/cli/confd-args.js';
import { unknownFlagHint } from '../../src/cli/usage-hint.js';
import { closestName, editDistance } from '../../src/config/suggest.js';

describe("confd's single-dash flags", () => {
  it('become the same long flags with two dashes', () => {
    expect(confdArgs(['-onetime', '-backend', 'etcdv3', '-node', 'http://10.0.0.1:2379', '-confdir', '/etc/confd', '-log-level=debug'])).toEqual([
      '--onetime', '--backend', 'etcdv3', '--node', 'http://10.0.0.1:2379', '--confdir', '/etc/confd', '--log-level=debug',
    ]);
    expect(confdArgs(['-sync-only', '-keep-stage-file', '-config-file', '/etc/confd/confd.toml', '-interval', '60', '-noop', '-watch'])).toEqual([
      '--sync-only', '--keep-stage-file', '--config-file', '/etc/confd/confd.toml', '--interval', '60', '--noop', '--watch',
    ]);
  });

  it('leaves short flags, values, two-dash flags and everything after -- alone', () => {
    expect(confdArgs(['-h', '--prefix', '/app', 'status', '-1', '--', '-onetime'])).toEqual(['-h', '--prefix', '/app', 'status', '-1', '--', '-onetime']);
  });
});

describe('did you mean', () => {
  it('measures edit distance', () => {
    expect(editDistance('confdri', 'confdir')).toBe(2);
    expect(editDistance('node', 'nodes')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests only a close name', () => {
    expect(closestName('confdri', ['confdir', 'config-file'])).toBe('confdir');
    expect(closestName('log_levle', ['log_level', 'log_format'])).toBe('log_level');
    expect(closestName('zzzzzzzz', ['confdir', 'node'])).toBeUndefined();
  });

  it("turns yargs' unknown-argument message into one hint per flag", () => {
    expect(unknownFlagHint('Unknown arguments: confdri, nod', ['confdir', 'node', 'h', 'configFile'])).toBe(
      '--confdri: did you mean --confdir?\n--nod: did you mean --node?',
    );
    expect(unknownFlagHint('Missing required argument: app', ['app'])).toBe('');
    expect(unknownFlagHint('Unknown argument: srv-domain', ['node'])).toBe(
      "--srv-domain: confd's srv-domain is not supported: switchyard does not look endpoints up in DNS SRV records: list them in nodes",
    );
  });
});
