// The bench's own switch, without switchyard: render the example template
// with the bench's small renderer, rename it over the fragment and signal the
// master (HAProxy: until its reload counter moves). For comparison with the
// switchyard path.
import { renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ProxyServer } from '../../test/harness/proxy-process.js';
import type { Backend, Color } from './backends.js';
import { confirmedReload } from './haproxy-master.js';
import type { ProxyLayout } from './proxies.js';
import type { ExampleTemplate } from './example-resource.js';
import { renderExample } from './render.js';
import { noNotes, type Switcher } from './switcher.js';

export const createDirectSwitcher = (layout: ProxyLayout, template: ExampleTemplate, apps: Record<Color, Backend>): Switcher => {
  const notes = noNotes();
  let master: ProxyServer | undefined;
  const render = (color: Color): void => {
    const keys = { '/blue/addr': apps.blue.addr, '/green/addr': apps.green.addr, '/live': color };
    const staged = join(dirname(layout.fragmentPath), `.${basename(layout.fragmentPath)}.staged`);
    writeFileSync(staged, renderExample(template.name, template.text, keys, { WEB_LISTEN: layout.listen }));
    renameSync(staged, layout.fragmentPath);
  };
  return {
    init: async (color) => render(color),
    attach: async (server) => {
      master = server;
    },
    switchTo: async (color) => {
      if (!master) throw new Error('direct switcher: attach() the proxy first');
      render(color);
      if (layout.masterSocket) notes.lostSignals += await confirmedReload(layout.masterSocket, master.pid);
      // nginx's master notes a SIGHUP that arrives mid-reload and reloads again.
      else process.kill(master.pid, layout.reloadSignal);
    },
    notes: () => ({ ...notes }),
    logTail: () => '',
    stop: async () => {},
  };
};
