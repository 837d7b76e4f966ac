// The function mapping table: every function a confd or consul-template
// template may call, and the switchyard helper it becomes. The converter
// reads it, and the README's table is generated from it (scripts/
// migrate-table.ts), so the documentation cannot drift from the code.

export type Dialect = 'confd' | 'consul-template';

export interface FunctionMapping {
  /** The name in the Go template. */
  go: string;
  /** The switchyard helper; undefined when the function cannot be converted. */
  helper?: string;
  /** The Go arguments, by position, in the helper's order (default: as written). */
  order?: readonly number[];
  /** The first argument is a store key: a literal one is written with a leading "/". */
  key?: boolean;
  /** What differs, or why it cannot be converted. */
  note?: string;
}

/** Go's own template functions, the same in both tools. */
const GO_BUILTINS: readonly FunctionMapping[] = [
  { go: 'and', helper: 'and', note: 'in conditions; elsewhere `andValue`, which returns an operand as Go does' },
  { go: 'or', helper: 'or', note: 'in conditions; elsewhere `orValue`, which returns the first non-empty operand as Go does' },
  { go: 'not', helper: 'not' },
  { go: 'eq', helper: 'eq', note: '`eq A B C` becomes `(or (eq A B) (eq A C))`' },
  { go: 'ne', helper: 'ne' },
  { go: 'lt', helper: 'lt' },
  { go: 'le', helper: 'le' },
  { go: 'gt', helper: 'gt' },
  { go: 'ge', helper: 'ge' },
  { go: 'len', helper: 'len', note: 'bytes of a string, items of a list or map' },
  { go: 'index', helper: 'index' },
  { go: 'printf', helper: 'printf', note: "Go's fmt verbs %v %s %d %q %f %x %X %t %c with flags and width" },
  { go: 'print', helper: 'print' },
  { go: 'println', helper: 'println' },
  { go: 'html', note: 'not converted: HTML escaping has no use in proxy configuration' },
  { go: 'js', note: 'not converted' },
  { go: 'urlquery', note: 'not converted' },
  { go: 'slice', note: 'not converted' },
  { go: 'call', note: 'not converted: templates cannot hold Go functions' },
];

const same = (names: string, key = false): FunctionMapping[] =>
  names.split(' ').map((go) => (key ? { go, helper: go, key } : { go, helper: go }));

const CONFD: readonly FunctionMapping[] = [
  ...same('getv get gets getvs ls lsdir exists', true),
  ...same('base dir split join replace contains trimSuffix toUpper toLower atoi add sub mul div mod seq'),
  ...same('json jsonArray map getenv fileExists base64Encode base64Decode parseBool lookupIP lookupSRV'),
  { go: 'datetime', helper: 'datetime', note: '`datetime.Format "LAYOUT"` becomes `datetime "LAYOUT"`' },
  { go: 'reverse', helper: 'reverse', note: "reverses any list (confd's leaves `gets` results as they are)" },
  { go: 'sortByLength', helper: 'sortByLength', note: 'stable: equal lengths keep their order (confd: unspecified)' },
  { go: 'sortKVByLength', helper: 'sortKVByLength', note: 'stable, as `sortByLength`' },
];

const notConverted = (names: string, note: string): FunctionMapping[] => names.split(' ').map((go) => ({ go, note }));

const CONSUL_TEMPLATE: readonly FunctionMapping[] = [
  { go: 'key', helper: 'getv', key: true, note: 'a missing key fails the render (consul-template waits for it)' },
  { go: 'keyOrDefault', helper: 'getv', key: true },
  { go: 'keyExists', helper: 'exists', key: true },
  { go: 'ls', helper: 'lsPairs', key: true },
  { go: 'safeLs', helper: 'lsPairs', key: true, note: 'an empty list renders (consul-template refuses it)' },
  { go: 'tree', helper: 'tree', key: true },
  { go: 'safeTree', helper: 'tree', key: true, note: 'as `safeLs`' },
  { go: 'service', helper: 'consulService', note: '`[tag.]name[|passing]`; `@dc` and other health filters are not converted' },
  { go: 'services', helper: 'consulServices', note: '`[{Name, Tags}]` by name, tags sorted; `@dc` is not converted' },
  { go: 'byTag', helper: 'byTag' },
  { go: 'env', helper: 'env' },
  { go: 'toJSON', helper: 'toJSON' },
  { go: 'parseJSON', helper: 'parseJSON' },
  { go: 'contains', helper: 'in', order: [1, 0] },
  { go: 'in', helper: 'in' },
  { go: 'join', helper: 'join', order: [1, 0] },
  { go: 'split', helper: 'splitTrimmed', order: [1, 0] },
  { go: 'replaceAll', helper: 'replace', order: [2, 0, 1] },
  { go: 'regexReplaceAll', helper: 'regexReplaceAll' },
  { go: 'regexMatch', helper: 'regexMatch' },
  { go: 'toLower', helper: 'toLower' },
  { go: 'toUpper', helper: 'toUpper' },
  { go: 'trimSpace', helper: 'trimSpace' },
  { go: 'trimSuffix', helper: 'trimSuffix', order: [1, 0] },
  { go: 'add', helper: 'add', order: [1, 0] },
  { go: 'subtract', helper: 'sub', order: [1, 0] },
  { go: 'multiply', helper: 'mul', order: [1, 0] },
  { go: 'divide', helper: 'div', order: [1, 0] },
  { go: 'modulo', helper: 'mod', order: [1, 0] },
  { go: 'parseInt', helper: 'atoi', note: 'an empty string fails the render (consul-template: 0)' },
  { go: 'parseBool', helper: 'parseBool', note: 'an empty string fails the render (consul-template: false)' },
  { go: 'timestamp', helper: 'datetime', note: '`timestamp` and `timestamp LAYOUT` (local time); `timestamp "unix"` is not converted' },
  ...notConverted('secret secrets pkiCert', 'not converted: Vault is not a switchyard backend'),
  ...notConverted('plugin executeTemplate writeToFile scratch', 'not converted: runs code or keeps state outside the template'),
  ...notConverted('nodes node datacenters connect caRoots caLeaf partitions peerings exportedServices', 'not converted: catalog queries other than healthy instances of one service'),
  ...notConverted('file', 'not converted: use a file backend'),
];

const byName = (list: readonly FunctionMapping[]): ReadonlyMap<string, FunctionMapping> => new Map(list.map((m) => [m.go, m]));

export const FUNCTION_TABLES: Readonly<Record<Dialect, ReadonlyMap<string, FunctionMapping>>> = {
  confd: byName([...GO_BUILTINS, ...CONFD]),
  'consul-template': byName([...GO_BUILTINS, ...CONSUL_TEMPLATE]),
};

/** The rows of the README's table, per dialect, in table order. */
export const documentedFunctions = (dialect: Dialect): readonly FunctionMapping[] =>
  dialect === 'confd' ? [...CONFD, ...GO_BUILTINS] : [...CONSUL_TEMPLATE, ...GO_BUILTINS];
