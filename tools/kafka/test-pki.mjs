// A throwaway private CA for brokers started with TLS listeners (kafka.mjs' `security` option):
// the CA, the broker's certificate (127.0.0.1 and localhost), a client certificate for mutual
// TLS, and a second, unrelated CA that a test can trust to see verification fail. PEM files
// only: the broker reads PEM key and trust stores (ssl.keystore.type=PEM) and so does Node.
// Made with the openssl command line (EC P-256 keys: fast to generate), valid for two days.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function openssl(cwd, args) {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.error) throw new Error(`cannot run openssl (is it installed?): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed (exit ${r.status}): ${r.stderr}`);
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function makeCa(dir, name) {
  openssl(dir, [
    'req',
    '-x509',
    ...EC,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    '-subj',
    `/CN=threadcast test ${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

function makeLeaf(dir, name, cn, extensions) {
  writeFileSync(join(dir, `${name}.ext`), extensions.join('\n') + '\n');
  openssl(dir, ['req', '-new', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
  ]);
}

/**
 * Writes the PKI into `dir` (once: an existing one is reused) and returns the file paths.
 * brokerKeystore holds the broker's key, certificate and the CA (PEM key store).
 * @param {string} dir
 */
export function ensureTestPki(dir) {
  const files = {
    caFile: join(dir, 'ca.crt'),
    otherCaFile: join(dir, 'other-ca.crt'),
    brokerKeystore: join(dir, 'broker.pem'),
    clientCertFile: join(dir, 'client.crt'),
    clientKeyFile: join(dir, 'client.key'),
    /** CN of the client certificate: the broker's principal for it is User:CN=threadcast-client. */
    clientName: 'threadcast-client',
  };
  if (existsSync(files.brokerKeystore) && existsSync(files.clientKeyFile)) return files;
  mkdirSync(dir, { recursive: true });
  makeCa(dir, 'ca');
  makeCa(dir, 'other-ca');
  makeLeaf(dir, 'broker', 'localhost', [
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    'extendedKeyUsage=serverAuth,clientAuth',
    'keyUsage=critical,digitalSignature',
  ]);
  makeLeaf(dir, 'client', files.clientName, [
    'extendedKeyUsage=clientAuth',
    'keyUsage=critical,digitalSignature',
  ]);
  const read = (f) => readFileSync(join(dir, f), 'utf8');
  writeFileSync(files.brokerKeystore, read('broker.key') + read('broker.crt') + read('ca.crt'));
  return files;
}
