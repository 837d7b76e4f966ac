// `--metrics nginx-log:FILE`: each color's requests and failures from the
// lines nginx appends to an access log in the README's JSON format. mark()
// remembers the end of the file; read() parses what was appended since and
// returns the totals since mark(). Each upstream attempt of a line counts
// for the color whose addr it names; lines for other upstreams are ignored.
import { messageOf } from '../../errors.js';
import type { Color } from '../../bluegreen/types.js';
import type { CountsByColor, MetricSource } from '../metric-source.js';
import { colorOfAddr, copyCounts, zeroCounts } from './counts.js';
import { MetricSourceError } from './errors.js';
import { openLogTail, type LogTail } from './log-tail.js';
import { parseLogLine, REQUIRED_LOG_FIELDS } from './nginx-log-line.js';
import { lastLineOf } from './last-line.js';

export interface NginxLogSourceOptions {
  file: string;
  addrs: Record<Color, string>;
}

export interface NginxLogSource extends MetricSource {
  /** Lines since mark() that were not in the JSON format (another log_format writing to the file). */
  readonly skippedLines: number;
}

const failure = (description: string, stage: string, err: unknown): MetricSourceError =>
  new MetricSourceError(description, stage, messageOf(err), { cause: err });

export const openNginxLogSource = async ({ file, addrs }: NginxLogSourceOptions): Promise<NginxLogSource> => {
  const description = `nginx access log ${file}`;
  let tail: LogTail;
  try {
    tail = await openLogTail(file);
  } catch (err) {
    throw failure(description, 'open', err);
  }
  // A file in another format would count nothing, silently: refuse it.
  const last = await lastLineOf(file).catch((err: unknown) => {
    throw failure(description, 'open', err);
  });
  if (last !== undefined && parseLogLine(last) === undefined) {
    await tail.close();
    throw new MetricSourceError(
      description,
      'open',
      `its last line is not a JSON object with ${REQUIRED_LOG_FIELDS.join(', ')} (give nginx the JSON log_format of the README): ${JSON.stringify(last.slice(0, 120))}`,
    );
  }

  let counts = zeroCounts();
  let skipped = 0;
  const count = (line: string): void => {
    if (line.trim() === '') return;
    const attempts = parseLogLine(line);
    if (attempts === undefined) {
      skipped += 1;
      return;
    }
    for (const { addr, failed } of attempts) {
      const color = colorOfAddr(addr, addrs);
      if (!color) continue;
      counts[color].requests += 1;
      if (failed) counts[color].failures += 1;
    }
  };

  return {
    description,
    get skippedLines() {
      return skipped;
    },
    mark: async () => {
      await tail.mark().catch((err: unknown) => {
        throw failure(description, 'mark', err);
      });
      counts = zeroCounts();
      skipped = 0;
    },
    read: async () => {
      await tail.readNew(count).catch((err: unknown) => {
        throw failure(description, 'read', err);
      });
      return copyCounts(counts);
    },
    close: () => tail.close(),
  };
};
