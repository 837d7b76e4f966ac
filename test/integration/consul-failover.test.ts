// Watch daemons given two Consul agents (--node twice) keep following when
// the agent their blocking query is on hangs: a real Consul agent behind two
// loopback proxies, one of which goes silent (accepts bytes, never answers),
// as a frozen agent does. The three-server cluster tests live beside this.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startWatcher, type Watcher } from '../harness/cli.js';
import { makeConfdir } from '../harness/confdir.js';
import { endpointEvents, eventsWithin, type EndpointEvent } from '../harness/endpoint-log.js';
import { startConsul, type ConsulServer } from '../harness/consul.js';
import { freePort } from '../harness/ports.js';
import { startTcpProxy, type TcpProxy } from '../harness/tcp-proxy.js';

let consul: ConsulServer;
const proxies: TcpProxy[] = [];
let watcher: Watcher | undefined;

const read = (file: string): string => (existsSync(file) ? readFileSync(file, 'utf8') : '');

beforeAll(async () => {
  consul = await startConsul();
  for (let i = 0; i < 2; i++) proxies.push(await startTcpProxy(consul.httpPort));
});
afterAll(async () => {
  await watcher?.stop();
  for (const p of proxies) await p.close();
  await consul?.stop();
});

describe('a Consul agent that hangs', () => {
  it('moves the blocking query to the other agent within about a second, logs the agent once, and shows it in /metrics', async () => {
    const conf = makeConfdir();
    const dest = join(conf.dir, 'app.out');
    conf.addResource({ name: 'app', template: 'value={{getv "/value" "none"}}\n', fields: { dest, prefix: '/cf', keys: ['/value'] } });
    await consul.kvPut('cf/value', 'v0');
    const port = await freePort();
    watcher = startWatcher([
      '--confdir', conf.dir, '--backend', 'consul', ...proxies.flatMap((p) => ['--node', p.endpoint]), '--metrics-addr', `127.0.0.1:${port}`,
    ]);
    await watcher.waitFor(/ready; watching/);
    expect(read(dest)).toBe('value=v0\n');
    const metrics = async (): Promise<string> => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const used = /switchyard_store_endpoint_preferred\{endpoint="([^"]+)"\} 1/.exec(await metrics())?.[1];
    const hung = proxies.find((p) => p.endpoint === used)!;
    expect(hung).toBeDefined();

    const hungAt = Date.now();
    hung.setMode('blackhole');
    const started = Date.now();
    await consul.kvPut('cf/value', 'v1');
    await eventually(() => read(dest) === 'value=v1\n', 'the file follows through the other agent', 15_000);
    const tookMs = Date.now() - started;
    console.log(`consul agent ${hung.endpoint} silent: the file followed in ${tookMs} ms`);
    // Without the side check a blocking query waits out its 60 s wait on a silent agent, or until some
    // plain read (the status page's, every 3 s) happens to find the agent silent.
    expect(tookMs).toBeLessThan(2500);
    for (let i = 2; i <= 5; i++) await consul.kvPut('cf/value', `v${i}`);
    await eventually(() => read(dest) === 'value=v5\n', 'later writes follow too');
    expect(await metrics()).toContain(`switchyard_store_endpoint_up{endpoint="${hung.endpoint}"} 0`);
    // Logged down once while silent (and never up): judged by the lines logged since it went
    // silent, as before it an agent slow under the machine's load may be logged down and up already.
    const events = (): EndpointEvent[] => endpointEvents(watcher!.output(), 'consul agent', hung.endpoint);
    const silent = eventsWithin(events(), hungAt, Date.now());
    expect(silent.during.filter((e) => !e.down), watcher.output()).toEqual([]);
    expect(silent.during.length + (silent.downAtStart ? 1 : 0), watcher.output()).toBe(1);

    // Back: a read after its cool-down probes it, and it is logged once more.
    const backAt = Date.now();
    hung.setMode('forward');
    let n = 6;
    await eventually(async () => {
      await consul.kvPut('cf/value', `v${n++}`);
      await new Promise((r) => setTimeout(r, 500));
      return events().filter((e) => e.at >= backAt && !e.down).length === 1;
    }, 'the agent is found answering again', 45_000);
    await eventually(() => read(dest) === `value=v${n - 1}\n`, 'follows after the agent is back');
  }, 90_000);
});
