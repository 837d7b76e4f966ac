// What a migration writes, whichever tool it came from: resources with their
// Go template, global settings, and what the reader could not carry over.
import type { Delimiters } from './go-template/lexer.js';
import type { Dialect } from './functions.js';

/** One resource: its conf.d entry and the Go template it renders. */
export interface PlannedResource {
  /** Base name for conf.d/NAME.toml and templates/NAME.hbs. */
  name: string;
  /** Where the template came from, for the report ("templates/app.tmpl", "consul-template.hcl:12"). */
  origin: string;
  /** The converted template's path below templates/ ("app.conf.hbs"). */
  templateName: string;
  /** The Go template's text. */
  source: string;
  delimiters?: Delimiters;
  /** The [template] table, without src (the writer sets it). */
  table: Record<string, unknown>;
}

/** A setting or construct that was not converted; `line` when known. */
export interface Finding {
  file: string;
  line?: number;
  construct: string;
  reason: string;
}

export interface Plan {
  dialect: Dialect;
  resources: PlannedResource[];
  /** switchyard.toml entries (TOML keys as in RUN_OPTIONS). */
  globals: Record<string, unknown>;
  /** Global entries that are secrets: switchyard.toml is then written 0600. */
  secrets: string[];
  findings: Finding[];
  /** Advice that is not a failure (e.g. "token read from the environment"). */
  notes: string[];
}
