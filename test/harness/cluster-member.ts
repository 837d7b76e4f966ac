// What the cluster harnesses (etcd, Consul) share: one member's process
// control, so a test can break a member the way production breaks it (kill,
// hang) and bring it back, and the search for the member that leads.
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { haltProcess, hasExited } from './server-process.js';
import { sleep } from './wait.js';

export interface ClusterMember {
  readonly name: string;
  /** PID of the current process (changes on restart; -1 when killed). */
  readonly pid: number;
  /** SIGKILL; restart() brings it back with its data. */
  kill(): Promise<void>;
  /** Stops (if running) and starts again on the same ports and data dir. */
  restart(): Promise<void>;
  /** SIGSTOP: connections stay open but nothing is answered. */
  suspend(): void;
  /** SIGCONT. */
  resume(): void;
  /** Whether this member is the leader now (asks the member itself). */
  isLeader(): Promise<boolean>;
}

export interface MemberSpec {
  name: string;
  /** The member's process now (replaced on restart). */
  current: () => ChildProcess | undefined;
  restart: () => Promise<void>;
  isLeader: () => Promise<boolean>;
}

/** A member with process control (kill, SIGSTOP/SIGCONT, pid) over current(), plus the harness's own fields. */
export const clusterMember = <X extends object>(spec: MemberSpec, extra: X): ClusterMember & X => ({
  ...extra,
  name: spec.name,
  get pid() {
    const child = spec.current();
    return child && !hasExited(child) ? child.pid ?? -1 : -1;
  },
  kill: () => haltProcess(spec.current(), 'SIGKILL'),
  restart: spec.restart,
  suspend: () => void spec.current()?.kill('SIGSTOP'),
  resume: () => void spec.current()?.kill('SIGCONT'),
  isLeader: spec.isLeader,
});

/** The first running member that leads (or, wantLeader false, does not); waits up to timeoutMs for an election. */
export const findMember = async <M extends ClusterMember>(members: readonly M[], wantLeader: boolean, what: string, timeoutMs = 15_000): Promise<M> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const member of members) {
      if (member.pid < 0) continue;
      const leads = await member.isLeader().catch(() => undefined);
      if (leads === wantLeader) return member;
    }
    if (Date.now() > deadline) throw new Error(`no ${wantLeader ? 'leader' : 'follower'} in ${what}`);
    await sleep(200);
  }
};

/** Every member's process of one cluster, and its temporary root. */
export interface ClusterProcesses {
  /** The process of each member now, by index (replaced on restart). */
  readonly children: Array<ChildProcess | undefined>;
  readonly stopped: boolean;
  /** Runs launch(); if it fails, stops everything and throws its error. */
  start(launch: () => Promise<void>): Promise<void>;
  /** Kills every member for good and removes the root. Idempotent. */
  stop(): Promise<void>;
}

export const clusterProcesses = (root: string, count: number): ClusterProcesses => {
  const children: Array<ChildProcess | undefined> = Array.from({ length: count }, () => undefined);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // Data is thrown away: no need for a graceful leave or leader transfer.
    await Promise.all(children.map((child) => haltProcess(child, 'SIGKILL')));
    rmSync(root, { recursive: true, force: true });
  };
  return {
    children,
    get stopped() {
      return stopped;
    },
    start: async (launch) => {
      try {
        await launch();
      } catch (err) {
        await stop();
        throw err;
      }
    },
    stop,
  };
};
