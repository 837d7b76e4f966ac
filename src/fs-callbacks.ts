// node:fs's callback calls as promises, for the few a run makes on its own
// files (staging, commit, history): node:fs/promises would load (with
// readline and the file watchers) at a one-shot run's cost for them alone.
// Named imports: a namespace import of node:fs is copied, property by
// property, into a module object of the bundle's at start-up (~0.5 ms).
import { chown as chownCb, copyFile as copyFileCb, fsync, readFile as readFileCb, readlink as readlinkCb, realpath as realpathCb, rm as rmCb, stat as statCb } from 'node:fs';
import { promisify } from 'node:util';

export const chown = promisify(chownCb);
export const copyFile = promisify(copyFileCb);
export const fsyncFd = promisify(fsync);
export const readFile = promisify(readFileCb);
export const readlink = promisify(readlinkCb);
export const realpath = promisify(realpathCb.native);
export const rm = promisify(rmCb);
export const stat = promisify(statCb);
