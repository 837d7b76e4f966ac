// The members of an etcd cluster, each with its own client, and the choice of
// which one a call goes to (../endpoint-health). Reads are hedged across
// members, so a member that hangs costs a read its hedge delay, not the
// request deadline; writes go to the preferred member and move on after a
// failure. With one endpoint this is a plain client.
import type { Etcd3 } from 'etcd3';
import type { Logger } from '../../log.js';
import type { BackendOptions } from '../backend.js';
import { createEndpointHealth, type EndpointHealth } from '../endpoint-health/health.js';
import { retryDownEndpoints } from '../endpoint-health/retry-down.js';
import { raceEndpoints, trackAttempt, type RaceOptions } from '../endpoint-health/race.js';
import { createEtcdClient, createEtcdClientRef, isTransportError, type EtcdClientRef } from './client.js';
import { describeEtcdError } from './errors.js';
import { withTimeout } from '../retry.js';
import type { EtcdSettings } from './options.js';

export interface EtcdMembers {
  readonly endpoints: readonly string[];
  readonly health: EndpointHealth;
  /** The client of one member. */
  member(endpoint: string): EtcdClientRef;
  /** The preferred member's client, for leases and other calls that stay on one member. */
  readonly preferred: EtcdClientRef;
  /** A read, hedged across the members; the first answer wins. */
  read<T>(run: (client: Etcd3) => Promise<T>): Promise<T>;
  /** A call on the preferred member (one attempt; the caller retries). */
  write<T>(run: (client: Etcd3) => Promise<T>): Promise<T>;
  close(): void;
}

/** A key nobody writes: reading it is the cheapest question a member answers. */
const PROBE_KEY = '\0switchyard-probe';

export const createEtcdMembers = (options: BackendOptions, settings: EtcdSettings, endpoints: readonly string[], logger: Logger): EtcdMembers => {
  const refs = new Map(endpoints.map((e) => [e, createEtcdClientRef(() => createEtcdClient(options, settings, [e]))]));
  const health = createEndpointHealth(endpoints, { kind: 'etcd member', logger });
  const member = (endpoint: string): EtcdClientRef => {
    const ref = refs.get(endpoint);
    if (!ref) throw new Error(`unknown etcd member ${endpoint}`);
    return ref;
  };
  let closed = false;
  // After close, calls cut short say nothing about their member.
  const race = (hedge: boolean): RaceOptions => ({ health, isTransient: isTransportError, ignore: () => closed, describe: describeEtcdError, hedge });
  const first = (): string => health.order()[0] ?? endpoints[0] ?? '';

  const preferred: EtcdClientRef = {
    current: () => member(first()).current(),
    renew: (stale) => {
      for (const ref of refs.values()) if (ref.current() === stale) return ref.renew(stale);
      return preferred.current();
    },
    close: () => {
      for (const ref of refs.values()) ref.close();
    },
  };

  const stopRetries = retryDownEndpoints({
    health,
    describe: describeEtcdError,
    probe: async (endpoint, timeoutMs) => {
      const read = member(endpoint).current().kv.range({ key: Buffer.from(PROBE_KEY), limit: '1', keys_only: true });
      await withTimeout(read, timeoutMs, () => new Error(`no answer within ${timeoutMs} ms`));
    },
  });

  return {
    endpoints,
    health,
    member,
    preferred,
    read: (run) => raceEndpoints(race(true), (e) => run(member(e).current())),
    write: (run) => {
      const endpoint = first();
      return trackAttempt(race(false), endpoint, !health.isUp(endpoint), (e) => run(member(e).current()));
    },
    close: () => {
      closed = true;
      stopRetries();
      preferred.close();
    },
  };
};
