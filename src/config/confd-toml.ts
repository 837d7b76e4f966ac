// confd.toml's spellings of switchyard.toml's keys: a confd configuration
// copied over reads as confd read it, and a confd setting switchyard does
// not have is answered with what to do instead.
import { ConfigError } from '../errors.js';
import { closestName } from './suggest.js';
import type { Table } from './toml.js';

/** confd's key → switchyard's, where the two differ by more than `-` for `_`. */
const CONFD_NAMES: Readonly<Record<string, string>> = {
  client_cakeys: 'client_ca_keys',
  file: 'files',
  node: 'nodes',
};

const NO_SRV = 'switchyard does not look endpoints up in DNS SRV records: list them in nodes';
const NOT_HERE = "is a setting of a confd backend switchyard does not have (switchyard reads etcd, consul, file and env)";

/** confd's settings that have no switchyard equivalent, and what to do instead. */
const CONFD_ONLY: Readonly<Record<string, string>> = {
  scheme: 'write the scheme in each node URL instead (https://10.0.0.1:2379)',
  srv_domain: NO_SRV,
  srv_record: NO_SRV,
  secret_keyring: 'switchyard does not decrypt values (confd\'s crypt helpers); store them decrypted or render them with another tool',
  client_insecure: 'switchyard always verifies the backend\'s TLS certificate: give its CA in client_ca_keys',
  auth_type: NOT_HERE,
  basic_auth: NOT_HERE,
  app_id: NOT_HERE,
  user_id: NOT_HERE,
  role_id: NOT_HERE,
  secret_id: NOT_HERE,
  table: NOT_HERE,
  separator: NOT_HERE,
  path: NOT_HERE,
  filter: NOT_HERE,
};

/** What to do instead of a confd setting switchyard does not have (flag or key), if it is one. */
export const confdOnlyAdvice = (name: string): string | undefined => {
  const advice = CONFD_ONLY[name.replace(/-/g, '_')];
  return advice && (advice.startsWith('is ') ? `confd's ${name} ${advice}` : `confd's ${name} is not supported: ${advice}`);
};

/**
 * The table with every key in switchyard's spelling. A key neither spells
 * is an error naming the file and the key, with the key that was probably meant.
 */
export const canonicalOptionsTable = (file: string, table: Table, allowed: readonly string[]): Table => {
  const out: Table = {};
  for (const [key, value] of Object.entries(table)) {
    const canonical = CONFD_NAMES[key] ?? key.replace(/-/g, '_');
    if (allowed.includes(canonical)) {
      if (canonical in out) throw new ConfigError(file, `given twice, also as ${canonical}`, { key });
      out[canonical] = value;
      continue;
    }
    const confdOnly = confdOnlyAdvice(key);
    if (confdOnly) throw new ConfigError(file, confdOnly, { key });
    const meant = closestName(canonical, allowed);
    throw new ConfigError(file, `unknown key${meant ? ` (did you mean ${meant}?)` : ''}; allowed keys are ${allowed.join(', ')}`, { key });
  }
  return out;
};
