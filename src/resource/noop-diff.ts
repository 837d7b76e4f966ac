// What --noop prints: a unified diff of dest against the rendered text, plus
// a line for a mode or owner change the diff cannot show.
import { formatMode, type FileState, type WantedState } from './file-state.js';

export const noopDiff = async (dest: string, current: FileState | undefined, wanted: WantedState): Promise<string> => {
  // Loaded only for --noop.
  const { createTwoFilesPatch } = await import('diff');
  const header = current ? 'current' : 'does not exist';
  const patch = createTwoFilesPatch(dest, dest, current?.content ?? '', wanted.content, header, 'rendered');
  const notes: string[] = [];
  if (current && current.mode !== wanted.mode) notes.push(`# ${dest}: mode ${formatMode(current.mode)} -> ${formatMode(wanted.mode)}`);
  const uidChanged = current && wanted.uid !== undefined && current.uid !== wanted.uid;
  const gidChanged = current && wanted.gid !== undefined && current.gid !== wanted.gid;
  if (current && (uidChanged || gidChanged)) {
    notes.push(`# ${dest}: owner ${current.uid}:${current.gid} -> ${wanted.uid ?? current.uid}:${wanted.gid ?? current.gid}`);
  }
  return notes.length ? `${notes.join('\n')}\n${patch}` : patch;
};
