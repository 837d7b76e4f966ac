// Formats a time with a Go reference layout ("2006-01-02 15:04:05"), so
// confd templates' datetime layouts keep their meaning. Local time zone.

/** Go's time.Time.String() layout, what confd's bare datetime prints. */
export const GO_DEFAULT_LAYOUT = '2006-01-02 15:04:05.999999999 -0700 MST';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

// Longest tokens first, as Go's layout scanner prefers them.
const TOKEN =
  /January|Monday|2006|Z07:00:00|-07:00:00|Z070000|-070000|Z07:00|-07:00|Z0700|-0700|Jan|Mon|MST|Z07|-07|002|_2|01|02|03|04|05|06|15|PM|pm|[.,](?:0+|9+)(?![0-9])|1|2|3|4|5/g;

const pad = (n: number, width = 2, fill = '0'): string => String(n).padStart(width, fill);

const zoneName = (date: Date): string => {
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(date).find((p) => p.type === 'timeZoneName');
  return part?.value ?? 'UTC';
};

const offset = (date: Date, token: string): string => {
  const minutes = -date.getTimezoneOffset();
  if (minutes === 0 && token.startsWith('Z')) return 'Z';
  const sign = minutes < 0 ? '-' : '+';
  const h = pad(Math.floor(Math.abs(minutes) / 60));
  const m = pad(Math.abs(minutes) % 60);
  const sep = token.includes(':') ? ':' : '';
  const digits = token.replace(/[^0-9]/g, '').length;
  if (digits === 2) return `${sign}${h}`;
  return digits === 6 ? `${sign}${h}${sep}${m}${sep}00` : `${sign}${h}${sep}${m}`;
};

const fraction = (date: Date, token: string): string => {
  const digits = token.length - 1;
  const nanos = String(date.getMilliseconds() * 1_000_000).padStart(9, '0').slice(0, digits).padEnd(digits, '0');
  if (token[1] === '0') return token[0] + nanos;
  const trimmed = nanos.replace(/0+$/, '');
  return trimmed === '' ? '' : token[0] + trimmed;
};

const field = (date: Date, token: string): string => {
  const hour12 = date.getHours() % 12 || 12;
  switch (token) {
    case 'January': return MONTHS[date.getMonth()] as string;
    case 'Jan': return (MONTHS[date.getMonth()] as string).slice(0, 3);
    case 'Monday': return DAYS[date.getDay()] as string;
    case 'Mon': return (DAYS[date.getDay()] as string).slice(0, 3);
    case '2006': return pad(date.getFullYear(), 4);
    case '06': return pad(date.getFullYear() % 100);
    case '01': return pad(date.getMonth() + 1);
    case '1': return String(date.getMonth() + 1);
    case '02': return pad(date.getDate());
    case '_2': return pad(date.getDate(), 2, ' ');
    case '2': return String(date.getDate());
    case '002': return pad(Math.floor((date.getTime() - new Date(date.getFullYear(), 0, 1).getTime()) / 86_400_000) + 1, 3);
    case '15': return pad(date.getHours());
    case '03': return pad(hour12);
    case '3': return String(hour12);
    case '04': return pad(date.getMinutes());
    case '4': return String(date.getMinutes());
    case '05': return pad(date.getSeconds());
    case '5': return String(date.getSeconds());
    case 'PM': return date.getHours() < 12 ? 'AM' : 'PM';
    case 'pm': return date.getHours() < 12 ? 'am' : 'pm';
    case 'MST': return zoneName(date);
    default:
      if (token.startsWith('.') || token.startsWith(',')) return fraction(date, token);
      return offset(date, token);
  }
};

export const formatGoTime = (date: Date, layout: string = GO_DEFAULT_LAYOUT): string =>
  layout.replace(TOKEN, (token) => field(date, token));
