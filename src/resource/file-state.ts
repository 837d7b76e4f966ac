// What dest holds now and what it should hold: content, mode bits and owner.
// Comparing all three decides whether anything runs at all.
import { readFileSync, statSync } from 'node:fs';
import type { TemplateResource } from '../config/resource.js';

export interface FileState {
  content: string;
  mode: number;
  uid: number;
  gid: number;
}

/** The wanted attributes; uid/gid undefined means "whatever the new file gets". */
export interface WantedState {
  content: string;
  mode: number;
  uid: number | undefined;
  gid: number | undefined;
}

const DEFAULT_MODE = 0o644;

const isMissing = (err: unknown): boolean => (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';

/** dest's content, mode and owner; undefined when it does not exist. Synchronous: see stage-file.ts. */
export const readFileState = async (path: string): Promise<FileState | undefined> => {
  try {
    const info = statSync(path);
    const content = readFileSync(path, 'utf8');
    return { content, mode: info.mode & 0o7777, uid: info.uid, gid: info.gid };
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
};

/** Mode: the resource's, else dest's, else 0644. Owner: the resource's, else dest's (like confd). */
export const wantedState = (resource: TemplateResource, content: string, current: FileState | undefined): WantedState => ({
  content,
  mode: resource.mode ?? current?.mode ?? DEFAULT_MODE,
  uid: resource.uid ?? current?.uid,
  gid: resource.gid ?? current?.gid,
});

export const isUpToDate = (current: FileState | undefined, wanted: WantedState): boolean =>
  current !== undefined &&
  current.content === wanted.content &&
  current.mode === wanted.mode &&
  (wanted.uid === undefined || current.uid === wanted.uid) &&
  (wanted.gid === undefined || current.gid === wanted.gid);

export const formatMode = (mode: number): string => '0' + mode.toString(8).padStart(3, '0');
