// Throwaway certificates for TLS tests: a CA, a server certificate for
// 127.0.0.1, and a client certificate, made with the openssl CLI.
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);
const OPENSSL = '/usr/bin/openssl';

export interface TlsFiles {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

const openssl = async (...args: string[]): Promise<void> => {
  await execFileP(OPENSSL, args);
};

const signed = async (dir: string, name: string, cn: string, ext: string): Promise<void> => {
  const extFile = join(dir, `${name}.ext`);
  writeFileSync(extFile, ext);
  await openssl('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.csr`), '-subj', `/CN=${cn}`);
  await openssl('x509', '-req', '-in', join(dir, `${name}.csr`), '-CA', join(dir, 'ca.crt'), '-CAkey', join(dir, 'ca.key'), '-CAcreateserial', '-days', '2', '-out', join(dir, `${name}.crt`), '-extfile', extFile);
};

/**
 * Writes ca.crt, server.{crt,key} and client.{crt,key} into dir. With
 * serverClientAuth the server certificate is good for client auth too, as
 * etcd's JSON gateway needs under --client-cert-auth (it dials its own gRPC
 * port with the server certificate).
 */
export const generateTlsFiles = async (dir: string, serverClientAuth = false): Promise<TlsFiles> => {
  if (!existsSync(OPENSSL)) throw new Error(`${OPENSSL} is missing: install Debian's openssl package`);
  await openssl('req', '-x509', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.crt'), '-days', '2', '-subj', '/CN=switchyard-test-ca');
  await signed(dir, 'server', '127.0.0.1', `subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth${serverClientAuth ? ',clientAuth' : ''}\n`);
  await signed(dir, 'client', 'switchyard', 'extendedKeyUsage=clientAuth\n');
  return {
    ca: join(dir, 'ca.crt'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.crt'),
    clientKey: join(dir, 'client.key'),
  };
};
