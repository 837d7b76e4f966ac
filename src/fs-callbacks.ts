// node:fs's callback calls as promises, for the few a run makes on its own
// files (staging, commit, history): node:fs/promises would load (with
// readline and the file watchers) at a one-shot run's cost for them alone.
import * as fs from 'node:fs';
import { promisify } from 'node:util';

export const chown = promisify(fs.chown);
export const copyFile = promisify(fs.copyFile);
export const fsyncFd = promisify(fs.fsync);
export const readFile = promisify(fs.readFile);
export const readlink = promisify(fs.readlink);
export const realpath = promisify(fs.realpath.native);
export const rm = promisify(fs.rm);
export const stat = promisify(fs.stat);
