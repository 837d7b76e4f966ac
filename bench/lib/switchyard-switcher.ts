// The real path: a real etcd on a free loopback port, the example resource
// in a temporary confdir, `switchyard --onetime --sync-only` for the first
// fragment (the proxy is not running yet, as in the example's README), then
// ./bin/switchyard in watch mode. A switch is one write of /web/live.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Etcd3 } from 'etcd3';
import { startEtcd, type EtcdServer } from '../../test/harness/etcd.js';
import { summarize } from '../measure/stats.js';
import type { Backend, Color } from './backends.js';
import { writeExampleResource, type ExampleTemplate } from './example-resource.js';
import type { ProxyLayout } from './proxies.js';
import type { SwitchNotes, Switcher } from './switcher.js';
import { BIN, requireBuild, startWatcher, type LogLine, type SwitchyardWatcher } from './watcher.js';

const execFileP = promisify(execFile);

const commandMedian = (lines: readonly LogLine[], pick: (command: string) => boolean): number => {
  const times = lines
    .filter((l) => l.msg === 'command succeeded' && typeof l.command === 'string' && pick(l.command))
    .map((l) => Number(l.durationMs));
  return times.length > 0 ? summarize(times).median : 0;
};

export const createSwitchyardSwitcher = async (
  layout: ProxyLayout,
  template: ExampleTemplate,
  apps: Record<Color, Backend>,
  root: string,
): Promise<Switcher> => {
  requireBuild();
  const confdir = mkdtempSync(join(root, 'confdir-'));
  const resource = writeExampleResource(layout, template, confdir);
  const prefix = String(resource.prefix);
  let etcd: EtcdServer | undefined;
  let client: Etcd3 | undefined;
  let watcher: SwitchyardWatcher | undefined;
  const stop = async (): Promise<void> => {
    await watcher?.stop();
    client?.close();
    await etcd?.stop();
    rmSync(confdir, { recursive: true, force: true });
  };
  try {
    etcd = await startEtcd();
    client = new Etcd3({ hosts: etcd.endpoint });
  } catch (err) {
    await stop();
    throw err;
  }
  const endpoint = etcd.endpoint;
  const kv = client;
  const runArgs = ['--confdir', confdir, '--backend', 'etcd', '--node', endpoint];
  const env = { WEB_LISTEN: layout.listen };
  const putLive = async (color: Color): Promise<void> => {
    await kv.put(`${prefix}/live`).value(color);
  };
  const notes = (): SwitchNotes => {
    const lines = watcher?.lines() ?? [];
    return {
      lostSignals: 0,
      updates: lines.filter((l) => l.msg === 'updated').length,
      errors: lines.filter((l) => l.level === 'error').length,
      checkMedianMs: commandMedian(lines, (c) => c.includes('check-fragment')),
      reloadMedianMs: commandMedian(lines, (c) => c === layout.reloadCmd),
    };
  };
  return {
    init: async (color) => {
      await kv.put(`${prefix}/blue/addr`).value(apps.blue.addr);
      await kv.put(`${prefix}/green/addr`).value(apps.green.addr);
      await putLive(color);
      await execFileP(process.execPath, [BIN, '--onetime', '--sync-only', ...runArgs], { env: { ...process.env, ...env }, timeout: 60_000 });
    },
    attach: async () => {
      watcher = startWatcher([...runArgs, '--log-level', 'debug'], env);
      await watcher.waitForMessage('ready; watching for changes', 30_000);
    },
    switchTo: putLive,
    notes,
    logTail: () => watcher?.tail() ?? '',
    stop,
  };
};
