// The environment a check or reload command sees: the daemon's own, without
// the credentials the daemon reads. A command runs with the data of the store
// but never with the keys to it.
import { containsSecret } from '../log.js';

/**
 * Variables never passed to a command: switchyard's own credentials, and the
 * ones the etcd and Consul tools read, which an operator may have exported
 * for the daemon.
 */
export const SECRET_ENV_NAMES: readonly string[] = [
  'SWITCHYARD_PASSWORD',
  'SWITCHYARD_AUTH_TOKEN',
  'SWITCHYARD_USERNAME',
  'CONSUL_HTTP_TOKEN',
  'CONSUL_HTTP_TOKEN_FILE',
  'CONSUL_HTTP_AUTH',
  'CONSUL_TOKEN',
  'ETCDCTL_USER',
  'ETCDCTL_PASSWORD',
  'ETCD_USERNAME',
  'ETCD_PASSWORD',
];

/** process.env without the secret variables and without any variable whose value holds a masked secret. */
export const commandEnv = (env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv => {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || SECRET_ENV_NAMES.includes(name) || containsSecret(value)) continue;
    out[name] = value;
  }
  return out;
};
