import { GRPCUnavailableError } from 'etcd3';
import { describe, expect, it } from 'vitest';
import { etcdNodes, withFailover } from '../../src/backends/etcd/client.js';
import { ConfigError } from '../../src/errors.js';

const options = (nodes: string[]) => ({ nodes, files: [] });

describe('etcdNodes', () => {
  it('defaults to the local etcd and drops a trailing slash', () => {
    expect(etcdNodes(options([]))).toEqual(['http://127.0.0.1:2379']);
    expect(etcdNodes(options(['https://a:2379/', 'https://b:2379']))).toEqual(['https://a:2379', 'https://b:2379']);
  });

  it('refuses endpoints without a scheme and mixes of http and https', () => {
    expect(() => etcdNodes(options(['127.0.0.1:2379']))).toThrow(ConfigError);
    expect(() => etcdNodes(options(['http://a:2379', 'https://b:2379']))).toThrow(/all http:\/\/ or all https:\/\//);
  });
});

describe('withFailover', () => {
  it('retries transport failures up to the number of attempts, and nothing else', async () => {
    let calls = 0;
    const flaky = async (): Promise<string> => {
      calls += 1;
      if (calls < 2) throw new GRPCUnavailableError('14 UNAVAILABLE');
      return 'ok';
    };
    await expect(withFailover(2, flaky)).resolves.toBe('ok');
    calls = 0;
    await expect(withFailover(1, flaky)).rejects.toThrow('UNAVAILABLE');
    let denied = 0;
    await expect(withFailover(3, async () => {
      denied += 1;
      throw new Error('permission denied');
    })).rejects.toThrow();
    expect(denied).toBe(1);
  });
});
