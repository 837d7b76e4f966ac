// The README's function mapping tables, generated from the converter's own
// table (scripts/migrate-table.mjs writes them; a test fails when they drift).
import type { Dialect, FunctionMapping } from './functions.js';
import { documentedFunctions } from './functions.js';

const cell = (text: string): string => text.replace(/\|/g, '\\|');

const row = (m: FunctionMapping): string => {
  const helper = m.helper ? `\`${m.helper}\`` : '—';
  const order = m.order ? ` (arguments ${m.order.map((i) => i + 1).join(', ')})` : '';
  return `| \`${m.go}\` | ${helper}${order} | ${cell(m.note ?? '')} |`;
};

export const functionTable = (dialect: Dialect): string =>
  ['| function | switchyard helper | notes |', '|---|---|---|', ...documentedFunctions(dialect).map(row)].join('\n');

const markers = (dialect: Dialect): [string, string] => [`<!-- migrate-functions:${dialect} -->`, `<!-- /migrate-functions:${dialect} -->`];

/** The README with both tables replaced; throws when a marker is missing. */
export const withFunctionTables = (readme: string): string => {
  let text = readme;
  for (const dialect of ['confd', 'consul-template'] as const) {
    const [open, close] = markers(dialect);
    const start = text.indexOf(open);
    const end = text.indexOf(close);
    if (start < 0 || end < start) throw new Error(`README: missing ${open} … ${close}`);
    text = `${text.slice(0, start + open.length)}\n${functionTable(dialect)}\n${text.slice(end)}`;
  }
  return text;
};
