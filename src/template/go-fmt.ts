// Go's fmt, as far as templates use it: fmt.Sprint, fmt.Sprintln and
// fmt.Sprintf with the common verbs (%v %s %d %q %f %x %X %t %c %%), flags
// (- + 0 space) and width/precision. Values print as Go prints them:
// lists as [a b], maps as map[k:v] with sorted keys, null as <nil>.

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** How Go's %v prints a value that came from a template. */
export const goValue = (v: unknown): string => {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${goValue(v[k])}`).join(' ')}]`;
  }
  if (typeof v === 'number') return goNumber(v);
  return String(v);
};

/** %v of a number: integers as integers, other floats in Go's %g-like shortest form. */
const goNumber = (n: number): string => {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const exp = Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 21) {
    const [mant = '', e = '0'] = n.toExponential().split('e');
    const sign = e.startsWith('-') ? '-' : '+';
    const digits = e.replace(/^[+-]/, '');
    return `${mant}e${sign}${digits.padStart(2, '0')}`;
  }
  return String(n);
};

const quoteGo = (s: string): string =>
  `"${[...s]
    .map((c) => {
      if (c === '"' || c === '\\') return `\\${c}`;
      if (c === '\n') return '\\n';
      if (c === '\t') return '\\t';
      if (c === '\r') return '\\r';
      const code = c.codePointAt(0) ?? 0;
      return code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : c;
    })
    .join('')}"`;

interface Spec {
  minus: boolean;
  plus: boolean;
  zero: boolean;
  space: boolean;
  width?: number;
  precision?: number;
  verb: string;
}

const pad = (s: string, spec: Spec): string => {
  if (spec.width === undefined || s.length >= spec.width) return s;
  if (spec.minus) return s.padEnd(spec.width);
  if (spec.zero && /^[+-]?[0-9]/.test(s)) {
    const sign = /^[+-]/.test(s) ? s.charAt(0) : '';
    return sign + s.slice(sign.length).padStart(spec.width - sign.length, '0');
  }
  return s.padStart(spec.width);
};

const toNumber = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'boolean' ? undefined : undefined);

const bad = (verb: string, v: unknown): string => `%!${verb}(${typeof v === 'string' ? 'string' : typeof v === 'number' ? 'int' : typeof v}=${goValue(v)})`;

const signed = (s: string, n: number, spec: Spec): string => (n >= 0 && spec.plus ? `+${s}` : n >= 0 && spec.space ? ` ${s}` : s);

const formatOne = (spec: Spec, v: unknown): string => {
  const n = toNumber(v);
  switch (spec.verb) {
    case 'v':
      return goValue(v);
    case 's':
      return typeof v === 'string' ? (spec.precision !== undefined ? v.slice(0, spec.precision) : v) : Array.isArray(v) || isObject(v) ? goValue(v) : bad('s', v);
    case 'q':
      return typeof v === 'string' ? quoteGo(v) : bad('q', v);
    case 'd':
      return n !== undefined && Number.isInteger(n) ? signed(String(n), n, spec) : bad('d', v);
    case 'f':
    case 'F':
      return n !== undefined ? signed(n.toFixed(spec.precision ?? 6), n, spec) : bad(spec.verb, v);
    case 'x':
    case 'X': {
      const text = n !== undefined && Number.isInteger(n) ? n.toString(16) : typeof v === 'string' ? Buffer.from(v, 'utf8').toString('hex') : undefined;
      if (text === undefined) return bad(spec.verb, v);
      return spec.verb === 'X' ? text.toUpperCase() : text;
    }
    case 't':
      return typeof v === 'boolean' ? String(v) : bad('t', v);
    case 'c':
      return n !== undefined ? String.fromCodePoint(n) : bad('c', v);
    default:
      return `%!${spec.verb}(${goValue(v)})`;
  }
};

const SPEC = /%([-+# 0]*)([0-9]+)?(?:\.([0-9]*))?([a-zA-Z%])/y;

/** fmt.Sprintf. */
export const goSprintf = (format: string, args: readonly unknown[]): string => {
  let out = '';
  let next = 0;
  for (let i = 0; i < format.length; ) {
    if (format[i] !== '%') {
      const at = format.indexOf('%', i);
      const end = at < 0 ? format.length : at;
      out += format.slice(i, end);
      i = end;
      continue;
    }
    SPEC.lastIndex = i;
    const m = SPEC.exec(format);
    if (!m) {
      out += '%!(NOVERB)';
      i = format.length;
      continue;
    }
    i = SPEC.lastIndex;
    const [, flags = '', width, precision, verb = ''] = m;
    if (verb === '%') {
      out += '%';
      continue;
    }
    const spec: Spec = {
      minus: flags.includes('-'), plus: flags.includes('+'), zero: flags.includes('0'), space: flags.includes(' '),
      width: width === undefined ? undefined : Number(width),
      precision: precision === undefined ? undefined : Number(precision || '0'),
      verb,
    };
    if (next >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += pad(formatOne(spec, args[next++]), spec);
  }
  if (next < args.length) {
    out += `%!(EXTRA ${args.slice(next).map((a) => `${typeof a === 'string' ? 'string' : typeof a === 'number' ? 'int' : typeof a}=${goValue(a)}`).join(', ')})`;
  }
  return out;
};

/** fmt.Sprint: a space between operands when neither side is a string. */
export const goSprint = (args: readonly unknown[]): string => {
  let out = '';
  args.forEach((a, i) => {
    const prev = args[i - 1];
    if (i > 0 && typeof a !== 'string' && typeof prev !== 'string') out += ' ';
    out += goValue(a);
  });
  return out;
};

/** fmt.Sprintln: always a space between operands, and a newline. */
export const goSprintln = (args: readonly unknown[]): string => `${args.map(goValue).join(' ')}\n`;
