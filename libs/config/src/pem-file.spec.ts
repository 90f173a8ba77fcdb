import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, kafkaConfig, loadConfig } from './index';

// The markers only: pemFile checks what the file is, kafkaSslOptions (libs/kafka) whether Node can use it.
const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1ieXRlcw==\n-----END PRIVATE KEY-----\n';
const ENCRYPTED = '-----BEGIN ENCRYPTED PRIVATE KEY-----\nc2VjcmV0\n-----END ENCRYPTED PRIVATE KEY-----\n';

let dir: string;
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'pem-file-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function errorOf(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(kafkaConfig, env);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('loadConfig did not throw');
}

describe('Kafka TLS file settings', () => {
  it('keeps the paths of readable PEM files and leaves unset ones undefined', () => {
    const ca = file('ca.crt', CERT);
    const cert = file('client.crt', CERT);
    const key = file('client.key', KEY);
    expect(
      loadConfig(kafkaConfig, { KAFKA_SSL_CA_FILE: ca, KAFKA_SSL_CERT_FILE: cert, KAFKA_SSL_KEY_FILE: key }),
    ).toMatchObject({ KAFKA_SSL_CA_FILE: ca, KAFKA_SSL_CERT_FILE: cert, KAFKA_SSL_KEY_FILE: key });
    expect(loadConfig(kafkaConfig, { KAFKA_SSL_CA_FILE: '' }).KAFKA_SSL_CA_FILE).toBeUndefined();
  });

  it('refuses a file that cannot be read, naming the variable', () => {
    const e = errorOf({ KAFKA_SSL_CA_FILE: join(dir, 'missing.crt') });
    expect(e.variable).toBe('KAFKA_SSL_CA_FILE');
    expect(e.message).toMatch(/KAFKA_SSL_CA_FILE names a file that cannot be read: ENOENT/);
  });

  it('refuses a CA or certificate file without a PEM certificate', () => {
    const e = errorOf({ KAFKA_SSL_CERT_FILE: file('key-by-mistake.pem', KEY) });
    expect(e.variable).toBe('KAFKA_SSL_CERT_FILE');
    expect(e.message).toContain('no PEM certificate');
    // The file held a key: not a byte of it in the message.
    expect(e.message).not.toContain('c2VjcmV0');
  });

  it('refuses a key file without a PEM private key, and an encrypted key', () => {
    expect(errorOf({ KAFKA_SSL_KEY_FILE: file('cert.pem', CERT) }).message).toContain(
      'KAFKA_SSL_KEY_FILE names a file with no PEM private key',
    );
    const e = errorOf({ KAFKA_SSL_KEY_FILE: file('enc.key', ENCRYPTED) });
    expect(e.variable).toBe('KAFKA_SSL_KEY_FILE');
    expect(e.message).toContain('encrypted private key');
    expect(e.message).not.toContain('c2VjcmV0');
  });
});
