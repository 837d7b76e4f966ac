// Keeps each applied render, and each failed one with its stage, in the
// resource's history. Never fails a round: a history that cannot be written
// is logged and the round goes on.
import { statSync } from 'node:fs';
import type { TemplateResource } from '../config/resource.js';
import { messageOf } from '../errors.js';
import { isoTime } from '../iso-time.js';
import { redact, type Logger } from '../log.js';
import { appendEntry, type HistoryResult } from './store.js';

export interface HistorySettings {
  /** --history-dir */
  dir: string;
  /** --history-keep */
  keep: number;
}

export interface RenderRecord {
  resource: TemplateResource;
  result: HistoryResult;
  revision?: string;
  /** The rendered text; absent when rendering failed. */
  content?: string;
  stage?: string;
  error?: string;
}

export interface HistoryRecorder {
  record(entry: RenderRecord): Promise<void>;
}

// dest's mode, so an entry is exactly as readable as the file it copies.
const modeFor = (resource: TemplateResource): number => {
  try {
    return statSync(resource.dest).mode & 0o777;
  } catch {
    return resource.mode ?? 0o600;
  }
};

export const createHistoryRecorder = (settings: HistorySettings, logger: Logger): HistoryRecorder => ({
  record: async ({ resource, result, revision, content, stage, error }) => {
    try {
      await appendEntry(
        {
          ...(revision !== undefined ? { revision } : {}),
          time: isoTime(),
          result,
          ...(stage !== undefined ? { stage } : {}),
          ...(error !== undefined ? { error: redact(error) } : {}),
          ...(content !== undefined ? { content } : {}),
        },
        { historyDir: settings.dir, resource: resource.name, keep: settings.keep, mode: modeFor(resource) },
      );
    } catch (err) {
      logger.warn('cannot keep history', { resource: resource.name, dir: settings.dir, err: messageOf(err) });
    }
  },
});
