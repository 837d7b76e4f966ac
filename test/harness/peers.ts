// The tools switchyard replaces, built by the shared peer scripts (cached in
// ~/.cache/peers/bin; a cached build takes about a second), for tests that
// compare outputs byte for byte.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { REPO } from './cli.js';

const execFileP = promisify(execFile);

/** The peers directory: SWITCHYARD_PEERS_DIR, else ../shared/peers beside the repository (or its worktree parent). */
export const peersDir = (): string => {
  const candidates = [process.env.SWITCHYARD_PEERS_DIR, resolve(REPO, '../shared/peers'), resolve(REPO, '../../shared/peers')];
  const found = candidates.find((d): d is string => d !== undefined && existsSync(join(d, 'build-confd.sh')));
  if (!found) throw new Error(`the peer build scripts are missing (looked in ${candidates.filter(Boolean).join(', ')}); set SWITCHYARD_PEERS_DIR`);
  return found;
};

export const PEERS_BIN = join(homedir(), '.cache', 'peers', 'bin');

/** Builds (or finds cached) confd or consul-template with its script; returns the binary. */
export const peerBinary = async (tool: 'confd' | 'consul-template'): Promise<string> => {
  const script = join(peersDir(), tool === 'confd' ? 'build-confd.sh' : 'build-consul-template.sh');
  await execFileP('bash', [script, PEERS_BIN], { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 });
  return join(PEERS_BIN, tool);
};
