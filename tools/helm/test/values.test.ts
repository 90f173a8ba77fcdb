// Wrong values stop `helm install` with a message naming the field: wrong types and unknown keys
// by values.schema.json, combinations that types cannot express by the chart's own checks.
import { helmTemplate } from './chart-tools';

const SCHEMA_ERROR = "values don't meet the specifications of the schema";

describe('values.schema.json', () => {
  it.each([
    ['a string for a replica count', { gateway: { replicaCount: 'three' } }, '/gateway/replicaCount'],
    ['a fraction for a duration in ms', { gateway: { drainMs: 2.5 } }, '/gateway/drainMs'],
    ['one broker string instead of a list', { kafka: { brokers: 'kafka:9092' } }, '/kafka/brokers'],
    ['a broker without a port', { kafka: { brokers: ['kafka'] } }, '/kafka/brokers/0'],
    ['an unknown SASL mechanism', { kafka: { sasl: { mechanism: 'gssapi' } } }, '/kafka/sasl/mechanism'],
    [
      'a string for a flag',
      { metrics: { serviceMonitor: { enabled: 'yes' } } },
      '/metrics/serviceMonitor/enabled',
    ],
    ['a string for resources', { ingest: { resources: 'large' } }, '/ingest/resources'],
    ['a misspelt service', { gatway: { replicaCount: 3 } }, 'gatway'],
    ['a misspelt field', { gateway: { drainMS: 3000 } }, 'drainMS'],
    ['an env entry without a name', { global: { env: [{ value: 'x' }] } }, '/global/env/0'],
    [
      'a nested object as a config value',
      { route: { config: { ROUTE_SPAM_THRESHOLD: { x: 1 } } } },
      '/route/config',
    ],
    ['a port out of range', { ingest: { port: 70000 } }, '/ingest/port'],
    [
      'a runbook URL with an anchor of its own (alerts add #<alert>)',
      { metrics: { prometheusRule: { runbookUrl: 'https://example.com/runbook.md#alerts' } } },
      '/metrics/prometheusRule/runbookUrl',
    ],
    [
      'an alert threshold as a string',
      { metrics: { prometheusRule: { consumerLagThreshold: '1k' } } },
      '/metrics/prometheusRule/consumerLagThreshold',
    ],
    [
      'an error ratio above 1',
      { metrics: { prometheusRule: { ingestErrorRatio: 5 } } },
      '/metrics/prometheusRule/ingestErrorRatio',
    ],
  ])('rejects %s', (_what, values, field) => {
    const r = helmTemplate([], values);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(SCHEMA_ERROR);
    expect(r.stderr).toContain(field);
  });

  it('accepts the documented scenario files and numbers or strings for quantities', () => {
    const r = helmTemplate(['ci/production.yaml'], { enrich: { resources: { requests: { cpu: 2 } } } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('the chart’s own checks', () => {
  it.each([
    [
      'SASL without the Secret that holds the credentials',
      { kafka: { sasl: { mechanism: 'scram-sha-256' } } },
      'kafka.sasl.existingSecret',
    ],
    [
      'a grace period shorter than the preStop pause plus the shutdown',
      { gateway: { terminationGracePeriodSeconds: 15 } },
      'gateway.terminationGracePeriodSeconds',
    ],
    [
      'a gateway drain as long as the whole shutdown',
      { gateway: { drainMs: 15000, terminationGracePeriodSeconds: 60 } },
      'gateway.drainMs',
    ],
    [
      'a Kafka CA Secret while TLS is off',
      { kafka: { tls: { enabled: false, caSecret: 'my-cluster-cluster-ca-cert' } } },
      'kafka.tls.caSecret is set but kafka.tls.enabled is false',
    ],
    [
      'a Kafka client certificate while TLS is off',
      { kafka: { tls: { enabled: false, clientCertSecret: 'threadcast' } } },
      'kafka.tls.clientCertSecret is set but kafka.tls.enabled is false',
    ],
    [
      'a client certificate and key under one key of the Secret',
      { kafka: { tls: { enabled: true, clientCertSecret: 'threadcast', clientKeyKey: 'user.crt' } } },
      'kafka.tls.clientKeyKey: must differ from clientCertKey',
    ],
    ['more enrich pods than partitions', { enrich: { replicaCount: 13 } }, 'enrich: 13 replicas'],
    [
      'a route HPA that can outgrow the partitions',
      { route: { autoscaling: { enabled: true, maxReplicas: 20 } } },
      'route: 20 replicas',
    ],
    [
      'an HPA whose minimum is above its maximum',
      { gateway: { autoscaling: { minReplicas: 5, maxReplicas: 3 } } },
      'gateway.autoscaling',
    ],
  ])('rejects %s', (_what, values, message) => {
    const r = helmTemplate([], values);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(message);
  });
});
