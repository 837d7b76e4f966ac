// The run's options in one table: flag name, TOML key in switchyard.toml,
// SWITCHYARD_* environment variable, type and help text. The CLI, the config
// file reader and the environment reader all work from it, so the three can
// never disagree.

export type OptionType = 'string' | 'boolean' | 'number' | 'list';

export interface OptionSpec {
  /** Property name in RunOptions. */
  name: string;
  /** Command-line flag, without the dashes. */
  flag: string;
  type: OptionType;
  describe: string;
  /** Shown in --help; applied after flags, environment and file are merged. */
  defaultText?: string;
  /** Only from the command line (not from switchyard.toml). */
  cliOnly?: boolean;
  /** Also an option of the commands that reach the backend without running (bluegreen). */
  backend?: boolean;
}

export const RUN_OPTIONS: readonly OptionSpec[] = [
  { name: 'confdir', flag: 'confdir', type: 'string', describe: 'reads DIR/conf.d/*.toml and DIR/templates/', defaultText: '/etc/switchyard', backend: true },
  { name: 'configFile', flag: 'config-file', type: 'string', describe: 'global TOML options', defaultText: 'DIR/switchyard.toml', cliOnly: true, backend: true },
  { name: 'backend', flag: 'backend', type: 'string', describe: 'etcd, consul, file or env', defaultText: 'etcd', backend: true },
  { name: 'nodes', flag: 'node', type: 'list', describe: "the backend's endpoints (repeatable)", defaultText: 'etcd http://127.0.0.1:2379, consul http://127.0.0.1:8500', backend: true },
  { name: 'files', flag: 'file', type: 'list', describe: "the file backend's YAML/JSON documents (repeatable)", backend: true },
  { name: 'prefix', flag: 'prefix', type: 'string', describe: "global key prefix, joined before each resource's prefix", defaultText: '""', backend: true },
  { name: 'onetime', flag: 'onetime', type: 'boolean', describe: 'render every resource once, run checks and reloads, exit' },
  { name: 'watch', flag: 'watch', type: 'boolean', describe: 'event-driven watch (default unless --onetime or --interval)' },
  { name: 'interval', flag: 'interval', type: 'string', describe: 'poll every S seconds (or a duration: 500ms, 1m) instead of watching' },
  { name: 'noop', flag: 'noop', type: 'boolean', describe: 'print a unified diff against each dest; write nothing, run nothing' },
  { name: 'syncOnly', flag: 'sync-only', type: 'boolean', describe: 'write files, skip check and reload commands' },
  { name: 'keepStageFile', flag: 'keep-stage-file', type: 'boolean', describe: 'keep the staged file when its check fails, to look at it' },
  { name: 'wait', flag: 'wait', type: 'string', describe: 'quiescence MIN[:MAX]: after a change wait MIN for more, never longer than MAX' },
  { name: 'commandTimeout', flag: 'command-timeout', type: 'string', describe: 'time limit of one check or reload command', defaultText: '60s' },
  { name: 'logLevel', flag: 'log-level', type: 'string', describe: 'debug, info, warn or error', defaultText: 'info', backend: true },
  { name: 'logFormat', flag: 'log-format', type: 'string', describe: 'text or json', defaultText: 'text', backend: true },
  { name: 'username', flag: 'username', type: 'string', describe: 'etcd user', backend: true },
  { name: 'password', flag: 'password', type: 'string', describe: 'etcd password (also SWITCHYARD_PASSWORD)', backend: true },
  { name: 'authToken', flag: 'auth-token', type: 'string', describe: 'Consul ACL token (also CONSUL_HTTP_TOKEN)', backend: true },
  { name: 'clientCert', flag: 'client-cert', type: 'string', describe: 'TLS client certificate for the backend', backend: true },
  { name: 'clientKey', flag: 'client-key', type: 'string', describe: 'TLS client key for the backend', backend: true },
  { name: 'clientCaKeys', flag: 'client-ca-keys', type: 'string', describe: "CA certificate(s) to verify the backend's TLS", backend: true },
  { name: 'destDirs', flag: 'dest-dirs', type: 'list', describe: 'directories a dest may be in (repeatable); a dest elsewhere is a configuration error', defaultText: 'anywhere' },
  { name: 'strict', flag: 'strict', type: 'boolean', describe: "a template name that always renders as nothing ({{typo}}) is an error; a resource's strict key overrides", defaultText: 'true' },
  { name: 'renderTimeout', flag: 'render-timeout', type: 'string', describe: 'time limit of one template render', defaultText: '10s' },
  { name: 'renderMaxOutput', flag: 'render-max-output', type: 'string', describe: 'size limit of one rendered file (bytes, or with KiB, MiB, GiB)', defaultText: '16MiB' },
  { name: 'report', flag: 'report', type: 'boolean', describe: "publish this host's state under <report-prefix>/hosts/<host-id> (etcd, consul)" },
  { name: 'reportPrefix', flag: 'report-prefix', type: 'string', describe: 'key prefix under which hosts report (fleet status reads it too)', defaultText: '/switchyard', backend: true },
  { name: 'hostId', flag: 'host-id', type: 'string', describe: "this host's name in its report", defaultText: 'the hostname' },
  { name: 'reportTtl', flag: 'report-ttl', type: 'string', describe: "a host's report disappears this long after the host stops (Consul: at least 10s)", defaultText: '15s' },
  { name: 'metricsAddr', flag: 'metrics-addr', type: 'string', describe: 'serve /metrics, /healthz and a status page on HOST:PORT' },
  // History of applied renders (switchyard history, diff, revert).
  { name: 'historyDir', flag: 'history-dir', type: 'string', describe: "keep each resource's applied renders here", defaultText: '/var/lib/switchyard/history' },
  { name: 'historyKeep', flag: 'history-keep', type: 'number', describe: 'entries kept per resource', defaultText: '50' },
];

/** The limits of one render: the run and `render` take them alike. */
export const RENDER_LIMIT_OPTIONS: readonly OptionSpec[] = RUN_OPTIONS.filter((s) => s.name === 'renderTimeout' || s.name === 'renderMaxOutput');

/** The options every command that reaches the backend shares with the run. */
export const BACKEND_OPTIONS: readonly OptionSpec[] = RUN_OPTIONS.filter((s) => s.backend);

/** The options that say where the configuration is and how resources load, and the log level (debug prints inferred keys): check reads no more. */
export const CONFDIR_OPTIONS: readonly OptionSpec[] = RUN_OPTIONS.filter((s) => ['confdir', 'configFile', 'prefix', 'destDirs', 'strict', 'logLevel'].includes(s.name));

/** "log-level" → "log_level" (the key in switchyard.toml). */
export const tomlKeyOf = (spec: OptionSpec): string => (spec.name === 'nodes' ? 'nodes' : spec.name === 'files' ? 'files' : spec.flag.replace(/-/g, '_'));

/** "log-level" → "SWITCHYARD_LOG_LEVEL". */
export const envNameOf = (spec: OptionSpec): string => 'SWITCHYARD_' + spec.flag.replace(/-/g, '_').toUpperCase();
