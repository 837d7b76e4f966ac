// What --noop prints: a unified diff of dest against the rendered text, plus
// a line for a mode or owner change the diff cannot show. A line-by-line
// comparison costs time in proportion to lines × changes, so past
// MAX_EDIT_LENGTH changed lines the differing region is shown as one hunk
// that removes the old lines and adds the new ones (still a valid patch).
import { formatMode, type FileState, type WantedState } from './file-state.js';

/** Changed lines (removed + added) up to which the diff is minimal. */
export const MAX_EDIT_LENGTH = 1_000;
const CONTEXT = 3;

const linesOf = (text: string): string[] => {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
};

const range = (start: number, length: number): string => (length === 0 ? `${start},0` : length === 1 ? `${start + 1}` : `${start + 1},${length}`);

/** One hunk from the first differing line to the last: linear time and memory. */
export const regionPatch = (dest: string, oldText: string, newText: string, oldHeader: string): string => {
  const a = linesOf(oldText);
  const b = linesOf(newText);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const from = Math.max(0, head - CONTEXT);
  const after = Math.min(tail, CONTEXT);
  const before = a.slice(from, head).map((l) => ` ${l}`);
  const removed = a.slice(head, a.length - tail).map((l) => `-${l}`);
  const added = b.slice(head, b.length - tail).map((l) => `+${l}`);
  const trailing = a.slice(a.length - tail, a.length - tail + after).map((l) => ` ${l}`);
  const oldLength = before.length + removed.length + trailing.length;
  const newLength = before.length + added.length + trailing.length;
  return [
    `# ${dest}: ${removed.length} lines replaced by ${added.length} (more than ${MAX_EDIT_LENGTH} changed lines: shown as one hunk)`,
    `Index: ${dest}`,
    '===================================================================',
    `--- ${dest}\t${oldHeader}`,
    `+++ ${dest}\trendered`,
    `@@ -${range(from, oldLength)} +${range(from, newLength)} @@`,
    ...before,
    ...removed,
    ...added,
    ...trailing,
    '',
  ].join('\n');
};

export const noopDiff = async (dest: string, current: FileState | undefined, wanted: WantedState): Promise<string> => {
  // Loaded only for --noop.
  const { createTwoFilesPatch } = await import('diff');
  const header = current ? 'current' : 'does not exist';
  const oldText = current?.content ?? '';
  const patch =
    createTwoFilesPatch(dest, dest, oldText, wanted.content, header, 'rendered', { maxEditLength: MAX_EDIT_LENGTH }) ??
    regionPatch(dest, oldText, wanted.content, header);
  const notes: string[] = [];
  if (current && current.mode !== wanted.mode) notes.push(`# ${dest}: mode ${formatMode(current.mode)} -> ${formatMode(wanted.mode)}`);
  const uidChanged = current && wanted.uid !== undefined && current.uid !== wanted.uid;
  const gidChanged = current && wanted.gid !== undefined && current.gid !== wanted.gid;
  if (current && (uidChanged || gidChanged)) {
    notes.push(`# ${dest}: owner ${current.uid}:${current.gid} -> ${wanted.uid ?? current.uid}:${wanted.gid ?? current.gid}`);
  }
  return notes.length ? `${notes.join('\n')}\n${patch}` : patch;
};
