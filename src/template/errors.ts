// Errors of the template engine. Both carry the template file and, when known,
// the line and column (1-based) so authors can jump straight to the spot.
import { ConfigError } from '../errors.js';

/** Where something happened in a template. */
export interface TemplatePosition {
  line: number;
  column: number;
}

const located = (file: string, pos: TemplatePosition | undefined): string =>
  pos ? `${file}:${pos.line}:${pos.column}` : file;

/** A template that does not compile. A ConfigError, so the CLI exits 2. */
export class TemplateSyntaxError extends ConfigError {
  readonly line: number | undefined;
  readonly column: number | undefined;
  constructor(file: string, detail: string, pos: TemplatePosition | undefined, options?: { cause?: unknown }) {
    super(file, detail, options);
    this.line = pos?.line;
    this.column = pos?.column;
    // ConfigError formats "file: detail"; editors want "file:line:column: detail".
    this.message = `${located(file, pos)}: ${detail}`;
  }
}

/** A render that failed: a missing key, a bad value, a helper misused. */
export class TemplateRenderError extends Error {
  override readonly name = 'TemplateRenderError';
  readonly line: number | undefined;
  readonly column: number | undefined;
  constructor(
    readonly file: string,
    /** The key at fault, as written in the template, when there is one. */
    readonly key: string | undefined,
    readonly detail: string,
    options?: { cause?: unknown; position?: TemplatePosition },
  ) {
    super(`${located(file, options?.position)}: ${detail}`, options);
    this.line = options?.position?.line;
    this.column = options?.position?.column;
  }
}

/**
 * Thrown by a helper; the engine turns it into a TemplateRenderError that
 * names the file, the position and the helper.
 */
export class HelperError extends Error {
  override readonly name = 'HelperError';
  constructor(
    readonly detail: string,
    readonly key?: string,
    options?: { cause?: unknown },
  ) {
    super(detail, options);
  }
}

/** JSON-quoted and shortened, so a hostile value cannot flood or forge a log line. */
export const quoteValue = (value: string, max = 80): string =>
  JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
