// A time as ISO 8601 in UTC, exactly as Date.prototype.toISOString writes it
// (2026-12-02T02:54:05.032Z), worked out from the milliseconds. The first
// toISOString of a process sets up V8's date cache and with it the local
// time zone (ICU reads the zone's data): ~1 ms and a dozen pages in every
// one-shot that writes a history entry or a log line, for a UTC time that
// needs no zone at all.

const DAY_MS = 86_400_000;

const two = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const three = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/**
 * `ms` since the epoch as toISOString writes it (a fraction of a millisecond
 * dropped toward zero, as Date does); years outside 0–9999 (six-digit form)
 * go to toISOString.
 */
export const isoTime = (time: number = Date.now()): string => {
  const ms = Math.trunc(time);
  const days = Math.floor(ms / DAY_MS);
  let rest = ms - days * DAY_MS;
  // Days since 1970-01-01 → year, month, day in the proleptic Gregorian
  // calendar, counted in 400-year eras that start on 0000-03-01.
  const shifted = days + 719_468;
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  if (!Number.isFinite(ms) || year < 0 || year > 9999) return new Date(time).toISOString();
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  const y = year < 1000 ? `000${year}`.slice(-4) : `${year}`;
  return `${y}-${two(month)}-${two(day)}T${two(hours)}:${two(minutes)}:${two(seconds)}.${three(millis)}Z`;
};
