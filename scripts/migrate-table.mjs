// Rewrites the function mapping tables in README.md from the converter's table
// (src/migrate/functions.ts). Run through `npm run docs:migrate-table`.
import { readFileSync, writeFileSync } from 'node:fs';
import { withFunctionTables } from '../dist/migrate/readme-table.js';

const file = new URL('../README.md', import.meta.url);
writeFileSync(file, withFunctionTables(readFileSync(file, 'utf8')));
