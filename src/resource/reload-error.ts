// A failed reload after which the previous file was put back: the error says
// so in fields, so the caller can report "rolled back" without parsing text.
import { ResourceError } from '../errors.js';

export type SecondReload = 'succeeded' | 'failed';

export class ReloadFailedError extends ResourceError {
  /** Always true: dest holds the previous file again (or is gone if there was none). */
  readonly rolledBack = true;
  constructor(
    resource: string,
    detail: string,
    /** How the reload that followed the restore went. */
    readonly secondReload: SecondReload,
    options?: { cause?: unknown },
  ) {
    super(resource, 'reload', detail, options);
  }
}
