// What the chart renders, read back from `helm template` output: the production scenario has
// everything a service needs to run well (probes, resources, security, disruption budget), the
// gateway scales and drains, secrets are only referenced, and the other scenarios do what their
// names say.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  SERVICES,
  at,
  container,
  environment,
  find,
  nameOf,
  ofKind,
  render,
  repoRoot,
  type K8sObject,
} from './chart-tools';

describe('production values (ci/production.yaml)', () => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = render(['ci/production.yaml']);
  });

  describe.each(SERVICES)('%s', (service) => {
    const deployment = () => find(objects, 'Deployment', nameOf(service));

    it('probes liveness and readiness on the ops port the service listens on', () => {
      const c = container(deployment());
      const env = environment(objects, deployment());
      const ops = c.ports?.find((p) => p.name === 'ops');
      expect(ops?.containerPort).toBe(Number(env.get('OPS_PORT')));
      expect(at(c, 'livenessProbe.httpGet')).toEqual({ path: '/healthz', port: 'ops' });
      expect(at(c, 'readinessProbe.httpGet')).toEqual({ path: '/readyz', port: 'ops' });
      expect(at(c, 'startupProbe.httpGet')).toEqual({ path: '/healthz', port: 'ops' });
    });

    it('requests CPU and memory and limits memory', () => {
      const c = container(deployment());
      expect(at(c, 'resources.requests.cpu')).toBeDefined();
      expect(at(c, 'resources.requests.memory')).toBeDefined();
      expect(at(c, 'resources.limits.memory')).toBeDefined();
    });

    it('runs as non-root, without privilege escalation, on a read-only root filesystem', () => {
      const pod = at(deployment(), 'spec.template.spec');
      const c = container(deployment());
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      expect(at(c, 'securityContext.allowPrivilegeEscalation')).toBe(false);
      expect(at(c, 'securityContext.readOnlyRootFilesystem')).toBe(true);
      expect(at(c, 'securityContext.capabilities.drop')).toContain('ALL');
      expect(pod.automountServiceAccountToken).toBe(false);
      // The one writable place, since the root filesystem is read-only.
      expect(at(c, 'volumeMounts')).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    });

    it('has a PodDisruptionBudget that selects its pods', () => {
      const pdb = find(objects, 'PodDisruptionBudget', nameOf(service));
      const podLabels = at(deployment(), 'spec.template.metadata.labels');
      expect(at(pdb, 'spec.selector.matchLabels')).toEqual(at(deployment(), 'spec.selector.matchLabels'));
      expect(podLabels).toMatchObject(at(pdb, 'spec.selector.matchLabels'));
      // No other service's pods match.
      for (const other of SERVICES.filter((s) => s !== service)) {
        const otherLabels = at(find(objects, 'Deployment', nameOf(other)), 'spec.template.metadata.labels');
        expect(otherLabels).not.toMatchObject(at(pdb, 'spec.selector.matchLabels'));
      }
    });

    it('rolls its pods when its configuration changes (checksum/config of its ConfigMap data)', () => {
      const cm = find(objects, 'ConfigMap', nameOf(service));
      const checksum = at(deployment(), 'spec.template.metadata.annotations')['checksum/config'];
      expect(checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(container(deployment()).envFrom).toContainEqual({ configMapRef: { name: cm.metadata.name } });
    });

    it('has its ops port on its own Service, runs under its own ServiceAccount', () => {
      const svc = find(objects, 'Service', `${nameOf(service)}-ops`);
      expect(at(svc, 'spec.ports')).toContainEqual(
        expect.objectContaining({ name: 'ops', targetPort: 'ops' }),
      );
      expect(at(svc, 'spec.selector')).toEqual(at(deployment(), 'spec.selector.matchLabels'));
      const sa = find(objects, 'ServiceAccount', at(deployment(), 'spec.template.spec.serviceAccountName'));
      expect(sa.automountServiceAccountToken).toBe(false);
    });

    it('names its pod as the instance id, and takes the Kafka credentials from the existing Secret', () => {
      const env = environment(objects, deployment());
      expect(env.get('POD_NAME')).toEqual({ field: 'metadata.name' });
      expect(env.get('SERVICE_INSTANCE_ID')).toBe('$(POD_NAME)');
      expect(env.get('KAFKA_BROKERS')).toBe(
        'kafka-0.kafka.svc:9093,kafka-1.kafka.svc:9093,kafka-2.kafka.svc:9093',
      );
      expect(env.get('KAFKA_SSL')).toBe('true');
      expect(env.get('KAFKA_SASL_MECHANISM')).toBe('scram-sha-512');
      expect(env.get('KAFKA_SASL_USERNAME')).toEqual({ secret: 'threadcast-kafka', key: 'username' });
      expect(env.get('KAFKA_SASL_PASSWORD')).toEqual({ secret: 'threadcast-kafka', key: 'password' });
      expect(env.get('OTEL_EXPORTER_OTLP_ENDPOINT')).toBe('http://otel-collector.observability.svc:4318');
      expect(env.get('OTEL_SDK_DISABLED')).toBe('false');
      expect(env.get('OTEL_SERVICE_NAME')).toBe(service);
    });
  });

  it('creates no Secret: credentials are only referenced', () => {
    expect(ofKind(objects, 'Secret')).toEqual([]);
    expect(JSON.stringify(objects)).not.toMatch(/KAFKA_SASL_PASSWORD","value"/);
  });

  it('scales the gateway with an HPA on CPU and open sockets, scaling down slowly', () => {
    const hpa = find(objects, 'HorizontalPodAutoscaler', nameOf('gateway'));
    expect(at(hpa, 'spec.scaleTargetRef')).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: nameOf('gateway'),
    });
    expect(at(hpa, 'spec.minReplicas')).toBe(3);
    expect(at(hpa, 'spec.maxReplicas')).toBe(30);
    const metrics = at(hpa, 'spec.metrics') as unknown[];
    expect(metrics).toContainEqual(expect.objectContaining({ type: 'Resource' }));
    expect(metrics).toContainEqual({
      type: 'Pods',
      pods: {
        metric: { name: 'threadcast_gateway_sockets' },
        target: { type: 'AverageValue', averageValue: '20000' },
      },
    });
    expect(at(hpa, 'spec.behavior.scaleDown.policies')).toEqual([
      { type: 'Pods', value: 1, periodSeconds: 60 },
    ]);
    // The HPA owns the replica count.
    expect(at(find(objects, 'Deployment', nameOf('gateway')), 'spec.replicas')).toBeUndefined();
  });

  it('gives the gateway a grace period longer than its preStop pause plus the socket drain', () => {
    const gw = find(objects, 'Deployment', nameOf('gateway'));
    const env = environment(objects, gw);
    const grace = at(gw, 'spec.template.spec.terminationGracePeriodSeconds') * 1000;
    const preStop = at(container(gw), 'lifecycle.preStop.sleep.seconds') * 1000;
    const drain = Number(env.get('GATEWAY_DRAIN_MS'));
    const shutdown = Number(env.get('SHUTDOWN_TIMEOUT_MS'));
    expect(preStop).toBeGreaterThan(0);
    expect(drain).toBe(5000);
    expect(shutdown).toBeGreaterThan(drain);
    expect(grace).toBeGreaterThan(preStop + shutdown);
  });

  it('routes /ws to the gateway through an Ingress with WebSocket-long timeouts and TLS', () => {
    const ing = find(objects, 'Ingress', nameOf('gateway'));
    const annotations = at(ing, 'metadata.annotations');
    expect(Number(annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(
      3600,
    );
    expect(Number(annotations['nginx.ingress.kubernetes.io/proxy-send-timeout'])).toBeGreaterThanOrEqual(
      3600,
    );
    expect(at(ing, 'spec.tls')).toEqual([
      { hosts: ['live.comments.example.com'], secretName: 'live-comments-tls' },
    ]);
    const path = at(ing, 'spec.rules')[0].http.paths[0];
    expect(path.path).toBe('/ws');
    expect(path.backend.service).toEqual({ name: nameOf('gateway'), port: { name: 'ws' } });
    const svc = find(objects, 'Service', nameOf('gateway'));
    expect(at(svc, 'spec.ports')).toContainEqual(expect.objectContaining({ name: 'ws', targetPort: 'ws' }));
  });

  it('provisions topics in an idempotent pre-install/pre-upgrade hook Job with the services’ Kafka settings', () => {
    const job = find(objects, 'Job', nameOf('topics'));
    expect(at(job, 'metadata.annotations')).toMatchObject({
      'helm.sh/hook': 'pre-install,pre-upgrade',
      'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
    });
    expect(at(job, 'spec.template.spec.restartPolicy')).toBe('Never');
    expect(at(container(job), 'image')).toBe('registry.example.com/threadcast/topics:0.1.0');
    const jobEnv = environment(objects, job);
    const ingestEnv = environment(objects, find(objects, 'Deployment', nameOf('ingest')));
    for (const name of ['KAFKA_BROKERS', 'KAFKA_SSL', 'KAFKA_SASL_MECHANISM', 'KAFKA_SASL_PASSWORD']) {
      expect(jobEnv.get(name)).toEqual(ingestEnv.get(name));
    }
    expect(jobEnv.get('KAFKA_PARTITIONS')).toBe('24');
    expect(jobEnv.get('KAFKA_REPLICATION_FACTOR')).toBe('3');
  });

  it('scrapes every service’s ops Service with a ServiceMonitor', () => {
    const sm = find(objects, 'ServiceMonitor', 'threadcast');
    expect(at(sm, 'metadata.labels.release')).toBe('kube-prometheus-stack');
    expect(at(sm, 'spec.endpoints')[0]).toMatchObject({ port: 'ops', path: '/metrics' });
    const selected = ofKind(objects, 'Service').filter((svc) => {
      const labels = at(svc, 'metadata.labels');
      const matchLabels = at(sm, 'spec.selector.matchLabels');
      const expr = at(sm, 'spec.selector.matchExpressions')[0];
      return (
        Object.entries(matchLabels).every(([k, v]) => labels[k] === v) &&
        expr.values.includes(labels[expr.key])
      );
    });
    expect(selected.map((s) => s.metadata.name).sort()).toEqual(
      SERVICES.map((s) => `${nameOf(s)}-ops`).sort(),
    );
  });
});

describe('checksum/config', () => {
  it('changes for the service whose settings change, and only for it', () => {
    const checksum = (objects: K8sObject[], service: string) =>
      at(find(objects, 'Deployment', nameOf(service)), 'spec.template.metadata.annotations')[
        'checksum/config'
      ];
    const before = render();
    const after = render([], { gateway: { config: { GATEWAY_MAX_SUBSCRIPTIONS: 7 } } });
    expect(
      environment(after, find(after, 'Deployment', nameOf('gateway'))).get('GATEWAY_MAX_SUBSCRIPTIONS'),
    ).toBe('7');
    expect(checksum(after, 'gateway')).not.toBe(checksum(before, 'gateway'));
    expect(checksum(after, 'ingest')).toBe(checksum(before, 'ingest'));
    expect(at(find(after, 'ConfigMap', nameOf('gateway')), 'data.GATEWAY_MAX_SUBSCRIPTIONS')).toBe('7');
  });
});

describe('a service’s config map', () => {
  it('adds settings and overrides the chart’s own, once each', () => {
    const objects = render([], {
      gateway: { config: { LOG_LEVEL: 'debug', GATEWAY_PING_INTERVAL_MS: 10000 } },
      topics: { config: { LOG_LEVEL: 'warn' } },
    });
    const gw = environment(objects, find(objects, 'Deployment', nameOf('gateway')));
    expect(gw.get('LOG_LEVEL')).toBe('debug');
    expect(gw.get('GATEWAY_PING_INTERVAL_MS')).toBe('10000');
    expect(environment(objects, find(objects, 'Deployment', nameOf('ingest'))).get('LOG_LEVEL')).toBe('info');
    const job = find(objects, 'Job', nameOf('topics'));
    const names = (container(job).env ?? []).map((e) => e.name);
    expect(names.filter((n) => n === 'LOG_LEVEL')).toHaveLength(1);
    expect(environment(objects, job).get('LOG_LEVEL')).toBe('warn');
  });
});

describe('SASL and TLS (ci/sasl-tls.yaml)', () => {
  it('trusts the private CA and takes the SASL credentials from the named keys, in every pod', () => {
    const objects = render(['ci/sasl-tls.yaml']);
    const workloads = [...ofKind(objects, 'Deployment'), find(objects, 'Job', nameOf('topics'))];
    expect(workloads).toHaveLength(5);
    for (const w of workloads) {
      const env = environment(objects, w);
      expect(env.get('KAFKA_SSL')).toBe('true');
      expect(env.get('KAFKA_SASL_MECHANISM')).toBe('plain');
      expect(env.get('KAFKA_SASL_USERNAME')).toEqual({ secret: 'threadcast-kafka-user', key: 'user' });
      expect(env.get('KAFKA_SASL_PASSWORD')).toEqual({ secret: 'threadcast-kafka-user', key: 'password' });
      expect(env.get('KAFKA_SSL_CA_FILE')).toBe('/etc/threadcast/kafka-ca/ca.crt');
      // The CA file replaces the system CAs for Kafka only: nothing extends Node's CAs for all TLS.
      expect(env.has('NODE_EXTRA_CA_CERTS')).toBe(false);
      expect(env.has('KAFKA_SSL_CERT_FILE')).toBe(false);
      expect(env.get('OTEL_EXPORTER_OTLP_HEADERS')).toEqual({ secret: 'threadcast-otlp', key: 'headers' });
      // Only the CA bundle: Strimzi's CA Secret also holds ca.p12 and its password.
      expect(at(w, 'spec.template.spec.volumes')).toContainEqual({
        name: 'kafka-ca',
        secret: { secretName: 'my-cluster-cluster-ca-cert', items: [{ key: 'ca.crt', path: 'ca.crt' }] },
      });
      expect(at(container(w), 'volumeMounts')).toContainEqual({
        name: 'kafka-ca',
        mountPath: '/etc/threadcast/kafka-ca',
        readOnly: true,
      });
    }
    expect(ofKind(objects, 'Secret')).toEqual([]);
  });
});

describe('mutual TLS with a Strimzi TLS user (ci/mtls.yaml)', () => {
  it('mounts only the certificate and key of the user Secret, group-readable, and names them', () => {
    const objects = render(['ci/mtls.yaml']);
    const workloads = [...ofKind(objects, 'Deployment'), find(objects, 'Job', nameOf('topics'))];
    expect(workloads).toHaveLength(5);
    for (const w of workloads) {
      const env = environment(objects, w);
      expect(env.get('KAFKA_SSL')).toBe('true');
      expect(env.get('KAFKA_SASL_MECHANISM')).toBe('none');
      expect(env.get('KAFKA_SSL_CA_FILE')).toBe('/etc/threadcast/kafka-ca/ca.crt');
      expect(env.get('KAFKA_SSL_CERT_FILE')).toBe('/etc/threadcast/kafka-client/user.crt');
      expect(env.get('KAFKA_SSL_KEY_FILE')).toBe('/etc/threadcast/kafka-client/user.key');
      expect(at(w, 'spec.template.spec.volumes')).toContainEqual({
        name: 'kafka-client',
        secret: {
          secretName: 'threadcast',
          defaultMode: 0o440,
          // Not user.p12 nor user.password.
          items: [
            { key: 'user.crt', path: 'user.crt' },
            { key: 'user.key', path: 'user.key' },
          ],
        },
      });
      expect(at(container(w), 'volumeMounts')).toContainEqual({
        name: 'kafka-client',
        mountPath: '/etc/threadcast/kafka-client',
        readOnly: true,
      });
    }
    expect(ofKind(objects, 'Secret')).toEqual([]);
  });

  it('takes other key names (a kubernetes.io/tls Secret) and the name to expect in the certificates', () => {
    const objects = render([], {
      kafka: {
        tls: {
          enabled: true,
          clientCertSecret: 'threadcast-tls',
          clientCertKey: 'tls.crt',
          clientKeyKey: 'tls.key',
          serverName: 'kafka.example.com',
        },
      },
    });
    const env = environment(objects, find(objects, 'Deployment', nameOf('ingest')));
    expect(env.get('KAFKA_SSL_CERT_FILE')).toBe('/etc/threadcast/kafka-client/tls.crt');
    expect(env.get('KAFKA_SSL_KEY_FILE')).toBe('/etc/threadcast/kafka-client/tls.key');
    expect(env.get('KAFKA_SSL_SERVERNAME')).toBe('kafka.example.com');
    expect(env.has('KAFKA_SSL_CA_FILE')).toBe(false);
  });
});

describe('a Secret that holds only the SASL password (Strimzi KafkaUser)', () => {
  it('takes the username from values and the password from the Secret', () => {
    const objects = render([], {
      kafka: { sasl: { mechanism: 'scram-sha-512', existingSecret: 'threadcast', username: 'threadcast' } },
    });
    for (const w of [...ofKind(objects, 'Deployment'), find(objects, 'Job', nameOf('topics'))]) {
      const env = environment(objects, w);
      expect(env.get('KAFKA_SASL_USERNAME')).toBe('threadcast');
      expect(env.get('KAFKA_SASL_PASSWORD')).toEqual({ secret: 'threadcast', key: 'password' });
    }
  });
});

describe('tracing off (ci/tracing-off.yaml)', () => {
  it('disables the SDK and sets no exporter, in every pod', () => {
    const objects = render(['ci/tracing-off.yaml']);
    const workloads = [...ofKind(objects, 'Deployment'), find(objects, 'Job', nameOf('topics'))];
    for (const w of workloads) {
      const env = environment(objects, w);
      expect(env.get('OTEL_SDK_DISABLED')).toBe('true');
      expect(env.has('OTEL_EXPORTER_OTLP_ENDPOINT')).toBe(false);
      expect(env.has('OTEL_RESOURCE_ATTRIBUTES')).toBe(false);
    }
  });

  it('changes nothing else: without the OTEL_* settings and checksums, it renders the defaults', () => {
    const withoutTracing = (objects: K8sObject[]) =>
      objects.map((o) => {
        const copy = structuredClone(o);
        const data = at(copy, 'data');
        if (o.kind === 'ConfigMap' && data) {
          for (const k of Object.keys(data)) if (k.startsWith('OTEL_')) delete data[k];
        }
        const template = at(copy, 'spec.template');
        if (template) {
          delete template.metadata.annotations?.['checksum/config'];
          for (const c of template.spec.containers) {
            c.env = c.env.filter((e: { name: string }) => !e.name.startsWith('OTEL_'));
          }
        }
        return copy;
      });
    const off = withoutTracing(render(['ci/tracing-off.yaml']));
    expect(off).toEqual(withoutTracing(render()));
  });
});

describe('autoscaling off (ci/autoscaling-off.yaml)', () => {
  it('renders no HPA and fixed replica counts', () => {
    const objects = render(['ci/autoscaling-off.yaml']);
    expect(ofKind(objects, 'HorizontalPodAutoscaler')).toEqual([]);
    expect(at(find(objects, 'Deployment', nameOf('gateway')), 'spec.replicas')).toBe(4);
    expect(at(find(objects, 'Deployment', nameOf('ingest')), 'spec.replicas')).toBe(3);
    expect(ofKind(objects, 'PodDisruptionBudget')).toHaveLength(4);
  });
});

describe('default values', () => {
  it('render the four services, their NetworkPolicies, the gateway HPA and the topics job, and nothing behind a flag', () => {
    const objects = render();
    expect(
      ofKind(objects, 'Deployment')
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual(SERVICES.map(nameOf).sort());
    expect(ofKind(objects, 'HorizontalPodAutoscaler').map((h) => h.metadata.name)).toEqual([
      nameOf('gateway'),
    ]);
    expect(ofKind(objects, 'Job').map((j) => j.metadata.name)).toEqual([nameOf('topics')]);
    expect(ofKind(objects, 'NetworkPolicy').map((p) => p.metadata.name)).toEqual(SERVICES.map(nameOf));
    for (const kind of ['Ingress', 'ServiceMonitor', 'PrometheusRule', 'Secret']) {
      expect(ofKind(objects, kind)).toEqual([]);
    }
    expect(objects.filter((o) => o.kind === 'ConfigMap').map((c) => c.metadata.name)).not.toContain(
      'threadcast-dashboard',
    );
  });

  it('use the images `npx nx run <app>:docker` builds', () => {
    const chart = readFileSync(join(repoRoot, 'deploy/helm/threadcast/Chart.yaml'), 'utf8');
    const appVersion = /^appVersion: '?([^'\n]+)'?$/m.exec(chart)?.[1];
    const objects = render();
    for (const service of [...SERVICES, 'topics']) {
      const kind = service === 'topics' ? 'Job' : 'Deployment';
      const image = container(find(objects, kind, nameOf(service))).image;
      const pkg = JSON.parse(readFileSync(join(repoRoot, 'apps', service, 'package.json'), 'utf8'));
      expect(pkg.scripts.docker).toContain(` -t ${image} `);
      expect(image).toBe(`threadcast/${service}:${appVersion}`);
    }
  });
});
