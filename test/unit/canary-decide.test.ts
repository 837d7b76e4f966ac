// The canary decision rule as a table: rates around the threshold, minimum
// requests, no data, and counts that cannot be right.
import { describe, expect, it } from 'vitest';
import { decide, type DecideInput, type Decision } from '../../src/canary/decide.js';

type Row = [string, Partial<DecideInput> & Pick<DecideInput, 'counts'>, Decision['action'], RegExp?];

const ROWS: Row[] = [
  ['no failures', { counts: { requests: 100, failures: 0 } }, 'promote'],
  ['just below the threshold', { counts: { requests: 1000, failures: 9 } }, 'promote'],
  ['exactly at the threshold (1 of 100 at 1%)', { counts: { requests: 100, failures: 1 } }, 'promote'],
  ['exactly at a fractional threshold (3 of 1000 at 0.3%)', { counts: { requests: 1000, failures: 3 }, maxErrorRatePercent: 0.3 }, 'promote'],
  ['exactly at a threshold floating point misses (57 of 2500 at 2.28%)', { counts: { requests: 2500, failures: 57 }, maxErrorRatePercent: 2.28 }, 'promote'],
  ['just above the threshold (2 of 100)', { counts: { requests: 100, failures: 2 } }, 'rollback', /error rate 2% \(2 of 100 requests\) is above --max-error-rate 1%/],
  ['one failure over a fractional threshold', { counts: { requests: 1000, failures: 4 }, maxErrorRatePercent: 0.3 }, 'rollback', /0\.4%/],
  ['5% of 500s', { counts: { requests: 400, failures: 20 } }, 'rollback', /5%/],
  ['every request failed', { counts: { requests: 60, failures: 60 } }, 'rollback', /100%/],
  ['threshold 0: any failure rolls back', { counts: { requests: 500, failures: 1 }, maxErrorRatePercent: 0 }, 'rollback'],
  ['threshold 0 and no failure promotes', { counts: { requests: 500, failures: 0 }, maxErrorRatePercent: 0 }, 'promote'],
  ['threshold 100 tolerates everything', { counts: { requests: 50, failures: 50 }, maxErrorRatePercent: 100 }, 'promote'],
  ['exactly min requests', { counts: { requests: 50, failures: 0 } }, 'promote'],
  ['one below min requests waits', { counts: { requests: 49, failures: 0 } }, 'wait', /not enough data: 49 requests, --min-requests is 50/],
  ['below min requests with failures still waits', { counts: { requests: 10, failures: 10 } }, 'wait'],
  ['below min requests on the last chance fails', { counts: { requests: 49, failures: 0 }, lastChance: true }, 'rollback', /not enough data: 49 requests/],
  ['zero requests waits', { counts: { requests: 0, failures: 0 } }, 'wait'],
  ['zero requests on the last chance fails', { counts: { requests: 0, failures: 0 }, lastChance: true }, 'rollback', /not enough data/],
  ['zero requests never promotes, even with min requests 0', { counts: { requests: 0, failures: 0 }, minRequests: 0 }, 'wait'],
  ['one request with min requests 0 is enough', { counts: { requests: 1, failures: 0 }, minRequests: 0 }, 'promote'],
  ['missing data waits', { counts: undefined }, 'wait', /no data for the new color/],
  ['missing data on the last chance fails', { counts: undefined, lastChance: true }, 'rollback', /no data for the new color/],
  ['more failures than requests', { counts: { requests: 100, failures: 101 } }, 'rollback', /inconsistent counts \(101 failures of 100 requests\)/],
  ['negative requests', { counts: { requests: -5, failures: 0 } }, 'rollback', /inconsistent/],
  ['not a number', { counts: { requests: Number.NaN, failures: 0 } }, 'rollback', /inconsistent/],
  ['fractional counts', { counts: { requests: 100.5, failures: 0 } }, 'rollback', /inconsistent/],
];

describe('canary decide', () => {
  it.each(ROWS)('%s', (_title, given, action, reason) => {
    const d = decide({ maxErrorRatePercent: 1, minRequests: 50, lastChance: false, ...given });
    expect(d.action).toBe(action);
    if (reason) expect('reason' in d ? d.reason : '').toMatch(reason);
  });

  it('reports the measured rate when it promotes and when it rolls back', () => {
    expect(decide({ counts: { requests: 800, failures: 3 }, maxErrorRatePercent: 1, minRequests: 50, lastChance: false })).toEqual({
      action: 'promote',
      requests: 800,
      failures: 3,
      ratePercent: 0.38,
    });
    expect(decide({ counts: { requests: 800, failures: 40 }, maxErrorRatePercent: 1, minRequests: 50, lastChance: false })).toMatchObject({
      action: 'rollback',
      ratePercent: 5,
    });
  });
});
