// Errors are objects with fields, not concatenated strings. The message is
// built from the fields once, so logs and exit messages agree.

export type Stage = 'fetch' | 'render' | 'stage' | 'check' | 'commit' | 'reload' | 'rollback';

/** A failure of one resource at one stage of the pipeline. Exit code 1. */
export class ResourceError extends Error {
  override readonly name = 'ResourceError';
  constructor(
    readonly resource: string,
    readonly stage: Stage,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${resource}: ${stage} failed: ${detail}`, options);
  }
}

/** Bad flag, bad TOML, template that does not compile. Exit code 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    /** The file at fault, when there is one. */
    readonly file: string | undefined,
    readonly detail: string,
    options?: { cause?: unknown; key?: string },
  ) {
    super(`${file ? `${file}: ` : ''}${options?.key ? `${options.key}: ` : ''}${detail}`, options);
    this.key = options?.key;
  }
  readonly key: string | undefined;
}

/** A backend could not be reached or answered with an error. */
export class BackendError extends Error {
  override readonly name = 'BackendError';
  constructor(
    readonly backend: string,
    readonly endpoint: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${backend} at ${endpoint}: ${detail}`, options);
  }
}

/** The daemon could not start a service of its own (the status server's port is taken). Exit code 1. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/** The message of anything thrown, without a stack. */
export const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));
