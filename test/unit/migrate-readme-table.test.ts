import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FUNCTION_TABLES } from '../../src/migrate/functions.js';
import { functionTable, withFunctionTables } from '../../src/migrate/readme-table.js';
import { allHelpers } from '../../src/template/helpers/index.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('the README’s function mapping tables', () => {
  it('are the converter’s own table (run `npm run docs:migrate-table` after changing it)', () => {
    expect(README).toBe(withFunctionTables(README));
  });

  it('list every function of both tools', () => {
    for (const dialect of ['confd', 'consul-template'] as const) {
      const table = functionTable(dialect);
      for (const name of FUNCTION_TABLES[dialect].keys()) expect(table).toContain(`| \`${name}\` |`);
    }
  });

  it('name only helpers that exist', () => {
    for (const table of Object.values(FUNCTION_TABLES)) {
      for (const m of table.values()) if (m.helper) expect(Object.keys(allHelpers).concat(['and', 'or'])).toContain(m.helper);
    }
  });
});
