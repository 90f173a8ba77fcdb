import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runApp } from './services';

// Kafka TLS settings that cannot work stop every service and the topics job at start, with one
// line naming the variable and exit 2 (a bad setting), before anything connects: a file the
// config cannot read (checked as the config loads) and a client certificate without its key
// (checked by createKafka, inside each service's start).
const APPS = ['ingest', 'enrich', 'route', 'gateway', 'topics'] as const;

describe('Kafka TLS settings checked at start', () => {
  let dir: string;
  let certFile: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kafka-tls-config-'));
    certFile = join(dir, 'client.crt');
    // Its PEM marker is all the check before the missing key looks at.
    writeFileSync(certFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const runToEnd = async (name: string, env: Record<string, string>) => {
    const child = runApp(name, { OPS_PORT: '0', INGEST_ALLOW_ANONYMOUS: 'true', ...env });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    return { code, out };
  };

  it.each(APPS)('%s exits 2 naming a CA file it cannot read', async (name) => {
    const missing = join(dir, 'missing-ca.crt');
    const r = await runToEnd(name, { KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: missing });
    expect(r.out).toContain(
      `${name}: invalid configuration: KAFKA_SSL_CA_FILE names a file that cannot be read`,
    );
    expect(r.code).toBe(2);
  });

  it.each(APPS)('%s exits 2 naming the key a client certificate lacks', async (name) => {
    const r = await runToEnd(name, { KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: certFile });
    expect(r.out).toContain(
      `${name}: invalid configuration: KAFKA_SSL_KEY_FILE is required with KAFKA_SSL_CERT_FILE`,
    );
    expect(r.code).toBe(2);
  });
});
