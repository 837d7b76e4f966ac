import { describe, expect, it } from 'vitest';
import { retryOnPortClash } from '../harness/ports.js';

describe('test servers on free ports', () => {
  it('start again on new ports when a port was taken in between, three tries in all', async () => {
    let calls = 0;
    const clash = new Error('consul at http://127.0.0.1:1 did not become ready: the agent exited\nbind: address already in use');
    await expect(
      retryOnPortClash(async () => {
        calls++;
        if (calls < 3) throw clash;
        return 'started';
      }),
    ).resolves.toBe('started');
    expect(calls).toBe(3);

    calls = 0;
    await expect(
      retryOnPortClash(async () => {
        calls++;
        throw clash;
      }),
    ).rejects.toBe(clash);
    expect(calls).toBe(3);
  });

  it('do not start again for any other failure', async () => {
    let calls = 0;
    await expect(
      retryOnPortClash(async () => {
        calls++;
        throw new Error('etcd is missing');
      }),
    ).rejects.toThrow('etcd is missing');
    expect(calls).toBe(1);
  });
});
