import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { createSecureContext, type ConnectionOptions } from 'node:tls';
import { ConfigError } from '@threadcast/config';

/** The TLS settings of the shared Kafka config (libs/config kafkaConfig). */
export interface KafkaSslConfig {
  KAFKA_SSL: boolean;
  KAFKA_SSL_CA_FILE?: string;
  KAFKA_SSL_CERT_FILE?: string;
  KAFKA_SSL_KEY_FILE?: string;
  KAFKA_SSL_SERVERNAME?: string;
}

const FILE_SETTINGS = [
  'KAFKA_SSL_CA_FILE',
  'KAFKA_SSL_CERT_FILE',
  'KAFKA_SSL_KEY_FILE',
  'KAFKA_SSL_SERVERNAME',
] as const;

function read(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new ConfigError(variable, `names a file that cannot be read: ${(e as Error).message}`);
  }
}

/** Every certificate of the bundle must parse: Node would skip a broken one without a word. */
function checkCaBundle(pem: string): void {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new ConfigError('KAFKA_SSL_CA_FILE', 'holds no PEM certificate');
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch (e) {
      throw new ConfigError(
        'KAFKA_SSL_CA_FILE',
        `certificate ${i + 1} of ${blocks.length} cannot be parsed: ${(e as Error).message}`,
      );
    }
  });
}

/**
 * kafkajs' `ssl` option: false, true (Node's default CAs) or the files' contents. Throws a
 * ConfigError naming the variable when the settings do not fit together (a TLS file without
 * KAFKA_SSL, a certificate without its key or the reverse, a key that is not the certificate's,
 * a CA file Node cannot use). Error messages never hold a file's contents.
 */
export function kafkaSslOptions(config: KafkaSslConfig): boolean | ConnectionOptions {
  const set = FILE_SETTINGS.filter((name) => config[name] !== undefined);
  if (!config.KAFKA_SSL) {
    if (set.length > 0) {
      throw new ConfigError('KAFKA_SSL', `is off, but ${set.join(', ')} set: turn it on (true) to use TLS`);
    }
    return false;
  }
  if (set.length === 0) return true;
  const { KAFKA_SSL_CERT_FILE: certFile, KAFKA_SSL_KEY_FILE: keyFile } = config;
  if (certFile && !keyFile) {
    throw new ConfigError(
      'KAFKA_SSL_KEY_FILE',
      "is required with KAFKA_SSL_CERT_FILE (the client certificate's key)",
    );
  }
  if (keyFile && !certFile) {
    throw new ConfigError(
      'KAFKA_SSL_CERT_FILE',
      'is required with KAFKA_SSL_KEY_FILE (the client certificate)',
    );
  }
  const options: ConnectionOptions = {};
  if (config.KAFKA_SSL_CA_FILE) {
    options.ca = read('KAFKA_SSL_CA_FILE', config.KAFKA_SSL_CA_FILE);
    checkCaBundle(options.ca.toString('utf8'));
  }
  if (certFile && keyFile) {
    options.cert = read('KAFKA_SSL_CERT_FILE', certFile);
    options.key = read('KAFKA_SSL_KEY_FILE', keyFile);
    try {
      createSecureContext({ cert: options.cert, key: options.key });
    } catch (e) {
      // OpenSSL's message ("key values mismatch", "bad decrypt", ...) names no key material.
      throw new ConfigError(
        'KAFKA_SSL_KEY_FILE',
        `does not fit KAFKA_SSL_CERT_FILE: ${(e as Error).message}`,
      );
    }
  }
  if (config.KAFKA_SSL_SERVERNAME) options.servername = config.KAFKA_SSL_SERVERNAME;
  return options;
}
