import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@threadcast/config';
import { createLogger } from '@threadcast/runtime';
import { createKafka } from './create-kafka';
import { kafkaSslOptions, type KafkaSslConfig } from './kafka-ssl';
import { CA_PEM, CLIENT_CERT_PEM, CLIENT_KEY_PEM, OTHER_KEY_PEM } from './kafka-ssl.fixtures';

let dir: string;
let files: { ca: string; cert: string; key: string; otherKey: string };
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kafka-ssl-'));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  files = {
    ca: write('ca.crt', CA_PEM),
    cert: write('client.crt', CLIENT_CERT_PEM),
    key: write('client.key', CLIENT_KEY_PEM),
    otherKey: write('other.key', OTHER_KEY_PEM),
  };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function errorOf(config: KafkaSslConfig): ConfigError {
  try {
    kafkaSslOptions(config);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('kafkaSslOptions did not throw');
}

describe('kafkaSslOptions', () => {
  it('is false without KAFKA_SSL and true (Node default CAs) with it alone', () => {
    expect(kafkaSslOptions({ KAFKA_SSL: false })).toBe(false);
    expect(kafkaSslOptions({ KAFKA_SSL: true })).toBe(true);
  });

  it('trusts the CA file instead of the default CAs, with the client certificate and key', () => {
    const options = kafkaSslOptions({
      KAFKA_SSL: true,
      KAFKA_SSL_CA_FILE: files.ca,
      KAFKA_SSL_CERT_FILE: files.cert,
      KAFKA_SSL_KEY_FILE: files.key,
      KAFKA_SSL_SERVERNAME: 'kafka.example.com',
    });
    expect(options).toEqual({
      ca: Buffer.from(CA_PEM),
      cert: Buffer.from(CLIENT_CERT_PEM),
      key: Buffer.from(CLIENT_KEY_PEM),
      servername: 'kafka.example.com',
    });
  });

  it('refuses TLS files while KAFKA_SSL is off, naming KAFKA_SSL and the files', () => {
    const e = errorOf({ KAFKA_SSL: false, KAFKA_SSL_CA_FILE: files.ca });
    expect(e.variable).toBe('KAFKA_SSL');
    expect(e.message).toContain('KAFKA_SSL_CA_FILE');
  });

  it('refuses a client certificate without its key and a key without its certificate', () => {
    expect(errorOf({ KAFKA_SSL: true, KAFKA_SSL_CERT_FILE: files.cert }).variable).toBe('KAFKA_SSL_KEY_FILE');
    expect(errorOf({ KAFKA_SSL: true, KAFKA_SSL_KEY_FILE: files.key }).variable).toBe('KAFKA_SSL_CERT_FILE');
  });

  it("refuses a key that is not the certificate's, without quoting the key", () => {
    const e = errorOf({
      KAFKA_SSL: true,
      KAFKA_SSL_CERT_FILE: files.cert,
      KAFKA_SSL_KEY_FILE: files.otherKey,
    });
    expect(e.variable).toBe('KAFKA_SSL_KEY_FILE');
    expect(e.message).toContain('does not fit KAFKA_SSL_CERT_FILE');
    const keyBody = OTHER_KEY_PEM.split('\n')[1]!.slice(0, 20);
    expect(e.message).not.toContain(keyBody);
  });

  it('refuses a CA file with a broken certificate or none, and one gone since the config loaded', () => {
    const broken = join(dir, 'broken.crt');
    writeFileSync(broken, CA_PEM + CA_PEM.replace(/^MII.*$/m, 'not base64 at all'));
    const e = errorOf({ KAFKA_SSL: true, KAFKA_SSL_CA_FILE: broken });
    expect(e.variable).toBe('KAFKA_SSL_CA_FILE');
    expect(e.message).toContain('certificate 2 of 2 cannot be parsed');
    expect(errorOf({ KAFKA_SSL: true, KAFKA_SSL_CA_FILE: files.otherKey }).message).toContain(
      'KAFKA_SSL_CA_FILE holds no PEM certificate',
    );
    const gone = errorOf({ KAFKA_SSL: true, KAFKA_SSL_CA_FILE: join(dir, 'gone.crt') });
    expect(gone.message).toContain('KAFKA_SSL_CA_FILE names a file that cannot be read');
  });
});

describe('createKafka', () => {
  const logger = createLogger({ service: 'test', level: 'silent' });
  it('throws a ConfigError naming the missing SASL setting', () => {
    let err: unknown;
    try {
      createKafka(
        {
          KAFKA_BROKERS: ['localhost:9092'],
          KAFKA_SSL: true,
          KAFKA_SASL_MECHANISM: 'scram-sha-512',
          KAFKA_SASL_USERNAME: 'threadcast',
        },
        logger,
        'test',
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe('KAFKA_SASL_PASSWORD');
  });

  it('refuses a client certificate without its key before it connects', () => {
    expect(() =>
      createKafka(
        {
          KAFKA_BROKERS: ['localhost:9092'],
          KAFKA_SSL: true,
          KAFKA_SSL_CERT_FILE: files.cert,
          KAFKA_SASL_MECHANISM: 'none',
        },
        logger,
        'test',
      ),
    ).toThrow(/KAFKA_SSL_KEY_FILE is required with KAFKA_SSL_CERT_FILE/);
  });
});
