// What makes a color live during a run: switchyard following etcd (the real
// path), or the bench itself rendering and signalling the proxy (direct).
import type { ProxyServer } from '../../test/harness/proxy-process.js';
import type { Color } from './backends.js';

export type Via = 'switchyard' | 'direct';

export interface SwitchNotes {
  /** Direct HAProxy: reload signals the master missed and that were sent again. */
  lostSignals: number;
  /** switchyard: rounds that rendered, checked, swapped and reloaded ("updated"). */
  updates: number;
  /** switchyard: error lines in its log (failed checks or reloads, rollbacks). */
  errors: number;
  /** switchyard: medians of the check_cmd and reload_cmd run times. */
  checkMedianMs: number;
  reloadMedianMs: number;
}

export interface Switcher {
  /** Writes the first fragment for `color`, before the proxy starts. */
  init(color: Color): Promise<void>;
  /** Starts what follows later switches, once the proxy runs. */
  attach(server: ProxyServer): Promise<void>;
  /** Asks for `color`: resolves once the request is handed over (etcd acknowledged the write / the proxy was signalled). */
  switchTo(color: Color): Promise<void>;
  notes(): SwitchNotes;
  /** The end of the switching side's own log, for failure messages. */
  logTail(): string;
  stop(): Promise<void>;
}

export const noNotes = (): SwitchNotes => ({ lostSignals: 0, updates: 0, errors: 0, checkMedianMs: 0, reloadMedianMs: 0 });
