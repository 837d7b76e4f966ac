// A template resource, as loaded from one conf.d/*.toml file and resolved
// against the global options. Every path here is absolute.

export interface Quiescence {
  /** Wait this long after a change for more changes (ms). */
  minMs: number;
  /** Never wait longer than this after the first change (ms). */
  maxMs: number;
}

/** Global policies every resource starts from (switchyard.toml, flags, environment). */
export interface ResourcePolicy {
  /** Dest must lie in one of these directories (absolute); empty: anywhere. */
  destDirs: string[];
  /** Default of the resource's `strict` key. */
  strict: boolean;
}

export const DEFAULT_POLICY: ResourcePolicy = { destDirs: [], strict: true };

export interface TemplateResource {
  /** Short name for logs and errors: the TOML file's base name ("app.toml"). */
  name: string;
  /** The TOML file it came from. */
  file: string;
  /** The template file, <confdir>/templates/<src>. */
  src: string;
  dest: string;
  /** Global prefix joined with the resource's prefix ("/" when neither is set). */
  prefix: string;
  /** Keys as written in the TOML, relative to prefix. */
  keys: string[];
  /** Absolute key paths fetched and watched: prefix joined with each key. */
  paths: string[];
  /** The TOML has no `keys`: they come from the template's literal arguments. */
  keysInferred?: boolean;
  uid?: number;
  gid?: number;
  /** File mode bits; undefined keeps dest's mode, else 0644. */
  mode?: number;
  checkCmd?: string;
  reloadCmd?: string;
  wait?: Quiescence;
  /**
   * A symlinked dest: true follows it anywhere, false refuses it, undefined
   * follows it only into dest's own directory tree or a dest_dirs directory.
   */
  followSymlinks?: boolean;
  /** The global dest_dirs allow-list (absolute, may be empty). */
  destDirs?: string[];
  /** A name that always renders as nothing (`{{typo}}`) fails the template. */
  strict?: boolean;
}
