// TLS with a private CA, mutual TLS and SASL/SCRAM, each against a broker listener configured that
// way (one broker of the suite's own, tools/kafka/secure-broker.mjs), through createKafka and the
// same settings the services read from the environment.
import { createLogger } from '@threadcast/runtime';
import { createKafka, createTopicsAndWait, type KafkaClientConfig } from '../src/index';
import { startSecureBroker, type SecureBroker } from './secure-broker';
import { uid, waitFor } from './kafka-test-kit';

const USER = { name: 'threadcast', password: 'right-password-123' };
const logger = createLogger({ service: 'test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });

let broker: SecureBroker;
let topic: string;

beforeAll(async () => {
  broker = await startSecureBroker({
    listeners: ['SSL', 'MTLS', 'SASL_SSL', 'SASL_PLAINTEXT'],
    scramUsers: [USER],
  });
  topic = uid('secure');
  const admin = plainClient().admin();
  await admin.connect();
  await createTopicsAndWait(admin, { topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
  await admin.disconnect();
}, 180_000);

afterAll(async () => {
  await broker?.stop();
});

function plainClient() {
  return createKafka(
    { KAFKA_BROKERS: [broker.brokers], KAFKA_SSL: false, KAFKA_SASL_MECHANISM: 'none' },
    logger,
    'setup',
  );
}

function client(config: Partial<KafkaClientConfig> & Pick<KafkaClientConfig, 'KAFKA_BROKERS'>) {
  return createKafka(
    { KAFKA_SSL: false, KAFKA_SASL_MECHANISM: 'none', ...config },
    logger,
    'threadcast-security-test',
  );
}

/** Produces one record through a client of `config` and consumes it back through another. */
async function roundTrip(config: Parameters<typeof client>[0]): Promise<string> {
  const kafka = client(config);
  const value = uid('value');
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [{ key: 'k', value }] });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: uid('security-test') });
  const seen: string[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
    return await waitFor('the record back', () => seen.find((v) => v === value));
  } finally {
    await consumer.disconnect();
  }
}

/** The error of a producer's first connection (kafkajs retries connection errors, then gives up). */
async function connectError(config: Parameters<typeof client>[0]): Promise<Error> {
  const producer = client(config).producer();
  try {
    await producer.connect();
  } catch (e) {
    return e as Error;
  } finally {
    await producer.disconnect();
  }
  throw new Error('the connection was accepted');
}

describe('TLS with a private CA (KAFKA_SSL_CA_FILE)', () => {
  it('produces and consumes over the TLS listener when the CA file is given', async () => {
    const config = {
      KAFKA_BROKERS: [broker.listeners.SSL],
      KAFKA_SSL: true,
      KAFKA_SSL_CA_FILE: broker.pki.caFile,
    };
    await expect(roundTrip(config)).resolves.toMatch(/^value-/);
  });

  it('refuses the broker without the CA file (Node default CAs) or with another CA', async () => {
    const [withoutCa, otherCa] = await Promise.all([
      connectError({ KAFKA_BROKERS: [broker.listeners.SSL], KAFKA_SSL: true }),
      connectError({
        KAFKA_BROKERS: [broker.listeners.SSL],
        KAFKA_SSL: true,
        KAFKA_SSL_CA_FILE: broker.pki.otherCaFile,
      }),
    ]);
    for (const e of [withoutCa, otherCa]) {
      expect(e.message).toMatch(/Connection error: self-signed certificate in certificate chain/);
    }
  });
});

describe('the name expected in the certificate (KAFKA_SSL_SERVERNAME)', () => {
  it('checks that name instead of the address: one the certificate lists passes, another is refused', async () => {
    const tls = {
      KAFKA_BROKERS: [broker.listeners.SSL],
      KAFKA_SSL: true,
      KAFKA_SSL_CA_FILE: broker.pki.caFile,
    };
    const [listed, other] = await Promise.all([
      roundTrip({ ...tls, KAFKA_SSL_SERVERNAME: 'localhost' }),
      connectError({ ...tls, KAFKA_SSL_SERVERNAME: 'kafka.example.com' }),
    ]);
    expect(listed).toMatch(/^value-/);
    expect(other.message).toMatch(
      /Hostname\/IP does not match certificate's altnames: Host: kafka\.example\.com/,
    );
  });
});

describe('mutual TLS (KAFKA_SSL_CERT_FILE, KAFKA_SSL_KEY_FILE)', () => {
  const mtls = () => ({
    KAFKA_BROKERS: [broker.listeners.MTLS],
    KAFKA_SSL: true,
    KAFKA_SSL_CA_FILE: broker.pki.caFile,
  });

  it('produces and consumes with a client certificate the broker requires', async () => {
    const config = {
      ...mtls(),
      KAFKA_SSL_CERT_FILE: broker.pki.clientCertFile,
      KAFKA_SSL_KEY_FILE: broker.pki.clientKeyFile,
    };
    await expect(roundTrip(config)).resolves.toMatch(/^value-/);
  });

  it('is refused by that broker without a client certificate', async () => {
    const e = await connectError(mtls());
    expect(e.message).toMatch(/Connection error: .*alert (bad certificate|certificate required)/);
  });
});

describe('SASL/SCRAM', () => {
  it('produces and consumes with SCRAM-SHA-512 over TLS with the right password', async () => {
    const config = {
      KAFKA_BROKERS: [broker.listeners.SASL_SSL],
      KAFKA_SSL: true,
      KAFKA_SSL_CA_FILE: broker.pki.caFile,
      KAFKA_SASL_MECHANISM: 'scram-sha-512' as const,
      KAFKA_SASL_USERNAME: USER.name,
      KAFKA_SASL_PASSWORD: USER.password,
    };
    await expect(roundTrip(config)).resolves.toMatch(/^value-/);
  });

  it('produces and consumes with SCRAM-SHA-256 without TLS', async () => {
    const config = {
      KAFKA_BROKERS: [broker.listeners.SASL_PLAINTEXT],
      KAFKA_SASL_MECHANISM: 'scram-sha-256' as const,
      KAFKA_SASL_USERNAME: USER.name,
      KAFKA_SASL_PASSWORD: USER.password,
    };
    await expect(roundTrip(config)).resolves.toMatch(/^value-/);
  });

  it('is refused with a wrong password, and the error does not hold the password', async () => {
    const e = await connectError({
      KAFKA_BROKERS: [broker.listeners.SASL_SSL],
      KAFKA_SSL: true,
      KAFKA_SSL_CA_FILE: broker.pki.caFile,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: USER.name,
      KAFKA_SASL_PASSWORD: 'wrong-password-456',
    });
    expect(e.name).toBe('KafkaJSSASLAuthenticationError');
    expect(e.message).toMatch(/SCRAM SHA512 authentication failed: .*invalid credentials/);
    expect(e.message).not.toContain('wrong-password-456');
  });
});
