// The network-namespace hosts harness itself: each host reaches the bridge
// address and the others, a cut link isolates one host until restored, and
// teardown leaves no namespace, veth or bridge behind.
import { createServer } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { createNetnsHosts, leftovers, type NetnsNetwork } from '../harness/netns-hosts.js';

let net: NetnsNetwork | undefined;
afterAll(async () => net?.teardown());

describe('hosts as network namespaces', () => {
  it('connects hosts through a bridge, cuts and restores one, and removes everything', async () => {
    net = await createNetnsHosts(2);
    const [a, b] = net.hosts;
    expect(a!.address).not.toBe(b!.address);
    const server = createServer((_req, res) => res.end('root'));
    await new Promise<void>((r) => server.listen(0, net!.bridgeAddress, r));
    const port = (server.address() as { port: number }).port;
    const url = `http://${net.bridgeAddress}:${port}/`;
    try {
      for (const h of net.hosts) expect(await h.get(url)).toEqual({ status: 200, body: 'root' });
      // Each namespace has its own loopback and stack.
      expect((await a!.run(['ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0'])).stdout).toContain(`${a!.address}/24`);

      await a!.cut();
      expect((await a!.get(url)).status).toBe(0);
      expect(await b!.get(url)).toEqual({ status: 200, body: 'root' });
      await a!.restore();
      expect(await a!.get(url)).toEqual({ status: 200, body: 'root' });
    } finally {
      server.close();
    }

    // A process left running inside does not keep anything alive after teardown.
    const sleeper = a!.wrap(['sleep', '600']);
    const { spawn } = await import('node:child_process');
    const child = spawn(sleeper[0]!, sleeper.slice(1), { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 200));
    const tag = net.tag;
    expect((await leftovers(tag)).netns).toHaveLength(2);
    await net.teardown();
    expect(await leftovers(tag)).toEqual({ netns: [], links: [] });
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
    expect(child.signalCode).toBe('SIGKILL');
  });
});
