// Issue 15: what the chart lets through to production. The switches that turn authentication off
// are refused on every values path that could set them; every pod runs with NODE_ENV=production;
// each service gets a NetworkPolicy and its /metrics a Service of its own; pods roll when a
// Secret they read changes; a gateway that checks tokens also checks their issuer and audience.
import {
  SERVICES,
  at,
  container,
  environment,
  find,
  helmTemplate,
  nameOf,
  ofKind,
  render,
  type K8sObject,
} from './chart-tools';

const DEV_AUTH = 'GATEWAY_DEV_AUTH: local development only';
const ANONYMOUS = 'INGEST_ALLOW_ANONYMOUS: ingest would take posts without an API key';
const ENV_FROM = 'the chart cannot see what an external ConfigMap or Secret sets';

describe('settings that turn authentication off, on every values path', () => {
  it.each([
    [
      'gateway.env, "true"',
      { gateway: { env: [{ name: 'GATEWAY_DEV_AUTH', value: 'true' }] } },
      `gateway.env[0] ${DEV_AUTH}`,
    ],
    [
      'global.env, "On"',
      { global: { env: [{ name: 'GATEWAY_DEV_AUTH', value: 'On' }] } },
      `global.env[0] ${DEV_AUTH}`,
    ],
    [
      'gateway.env, " true" (a space before)',
      { gateway: { env: [{ name: 'GATEWAY_DEV_AUTH', value: ' true' }] } },
      `gateway.env[0] ${DEV_AUTH}`,
    ],
    [
      'gateway.env, "false" (never set, to anything)',
      { gateway: { env: [{ name: 'GATEWAY_DEV_AUTH', value: 'false' }] } },
      `gateway.env[0] ${DEV_AUTH}`,
    ],
    [
      'gateway.env, a padded lower-case name',
      { gateway: { env: [{ name: ' gateway_dev_auth', value: '1' }] } },
      `gateway.env[0] ${DEV_AUTH}`,
    ],
    [
      'gateway.env, valueFrom a ConfigMap',
      {
        gateway: {
          env: [
            { name: 'x', value: 'y' },
            { name: 'GATEWAY_DEV_AUTH', valueFrom: { configMapKeyRef: { name: 'dev', key: 'on' } } },
          ],
        },
      },
      `gateway.env[1] ${DEV_AUTH}`,
    ],
    [
      'gateway.config (the ConfigMap), a boolean',
      { gateway: { config: { GATEWAY_DEV_AUTH: true } } },
      `gateway.config.GATEWAY_DEV_AUTH: local development only`,
    ],
    [
      'gateway.config, "yes"',
      { gateway: { config: { GATEWAY_DEV_AUTH: 'yes' } } },
      `gateway.config.GATEWAY_DEV_AUTH: local development only`,
    ],
    [
      'enrich.config (any service)',
      { enrich: { config: { GATEWAY_DEV_AUTH: 'true' } } },
      `enrich.config.GATEWAY_DEV_AUTH: local development only`,
    ],
    [
      'topics.env (the Job)',
      { topics: { env: [{ name: 'GATEWAY_DEV_AUTH', value: 'true' }] } },
      `topics.env[0] ${DEV_AUTH}`,
    ],
    [
      'gateway.envFrom a ConfigMap',
      { gateway: { envFrom: [{ configMapRef: { name: 'dev-settings' } }] } },
      `gateway.envFrom: refused for the gateway pods: ${ENV_FROM}`,
    ],
    [
      'gateway.envFrom with a prefix',
      { gateway: { envFrom: [{ prefix: 'GATEWAY_', secretRef: { name: 'flags' } }] } },
      `gateway.envFrom: refused for the gateway pods: ${ENV_FROM}`,
    ],
    [
      'global.envFrom',
      { global: { envFrom: [{ secretRef: { name: 'extra' } }] } },
      `global.envFrom: refused while ingest or gateway runs: ${ENV_FROM}`,
    ],
    [
      'ingest.env, "true"',
      { ingest: { env: [{ name: 'INGEST_ALLOW_ANONYMOUS', value: 'true' }] } },
      `ingest.env[0] ${ANONYMOUS}`,
    ],
    [
      'ingest.config',
      { ingest: { config: { INGEST_ALLOW_ANONYMOUS: 1 } } },
      `ingest.config.INGEST_ALLOW_ANONYMOUS: ${ANONYMOUS.split(': ')[1]}`,
    ],
    [
      'global.env, valueFrom a Secret',
      {
        global: {
          env: [{ name: 'INGEST_ALLOW_ANONYMOUS', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
        },
      },
      `global.env[0] ${ANONYMOUS}`,
    ],
    [
      'ingest.envFrom',
      { ingest: { envFrom: [{ secretRef: { name: 'ingest-extra' } }] } },
      `ingest.envFrom: refused for the ingest pods: ${ENV_FROM}`,
    ],
    [
      'NODE_ENV in a config map',
      { gateway: { config: { NODE_ENV: 'development' } } },
      'gateway.config.NODE_ENV: the chart sets NODE_ENV=production on every pod',
    ],
    [
      'NODE_ENV in global.env',
      { global: { env: [{ name: 'NODE_ENV', value: 'test' }] } },
      'global.env[0] NODE_ENV: the chart sets NODE_ENV=production',
    ],
  ])('refuses %s', (_what, values, message) => {
    const r = helmTemplate([], values);
    expect(r.stderr).toContain(message);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
  });

  it('still takes envFrom where no refused setting is read, and global.envFrom without ingest and gateway', () => {
    const enrich = render([], { enrich: { envFrom: [{ configMapRef: { name: 'enrich-extra' } }] } });
    expect(container(find(enrich, 'Deployment', nameOf('enrich'))).envFrom).toContainEqual({
      configMapRef: { name: 'enrich-extra' },
    });
    const stages = render([], {
      ingest: { enabled: false },
      gateway: { enabled: false },
      global: { envFrom: [{ secretRef: { name: 'extra' } }] },
    });
    expect(ofKind(stages, 'Deployment').map((d) => d.metadata.name)).toEqual([
      nameOf('enrich'),
      nameOf('route'),
    ]);
  });

  it('runs every pod, the topics Job included, with NODE_ENV=production and neither switch', () => {
    const objects = render(['ci/production.yaml']);
    const workloads = [...ofKind(objects, 'Deployment'), find(objects, 'Job', nameOf('topics'))];
    expect(workloads).toHaveLength(5);
    for (const w of workloads) {
      const env = environment(objects, w);
      expect({ workload: w.metadata.name, NODE_ENV: env.get('NODE_ENV') }).toEqual({
        workload: w.metadata.name,
        NODE_ENV: 'production',
      });
      expect(env.has('GATEWAY_DEV_AUTH')).toBe(false);
      expect(env.has('INGEST_ALLOW_ANONYMOUS')).toBe(false);
      // Nothing the chart cannot see into: only its own ConfigMap.
      expect(container(w).envFrom ?? []).toEqual(
        w.kind === 'Job' ? [] : [{ configMapRef: { name: w.metadata.name } }],
      );
    }
  });
});

interface Rule {
  ports: { port: number | string; protocol: string }[];
  from?: unknown[];
  to?: unknown[];
}
const policy = (objects: K8sObject[], service: string) => find(objects, 'NetworkPolicy', nameOf(service));
const ingress = (objects: K8sObject[], service: string): Rule[] =>
  at(policy(objects, service), 'spec.ingress') ?? [];
const egress = (objects: K8sObject[], service: string): Rule[] => at(policy(objects, service), 'spec.egress');
const ports = (rules: Rule[]) => rules.flatMap((r) => r.ports.map((p) => `${p.port}/${p.protocol}`));
const PROMETHEUS = [
  {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
  },
];

describe('NetworkPolicies', () => {
  it('one per service by default, selecting exactly its pods, both directions', () => {
    const objects = render();
    expect(ofKind(objects, 'NetworkPolicy').map((p) => p.metadata.name)).toEqual(SERVICES.map(nameOf));
    for (const service of SERVICES) {
      const deployment = find(objects, 'Deployment', nameOf(service));
      expect(at(policy(objects, service), 'spec.podSelector.matchLabels')).toEqual(
        at(deployment, 'spec.selector.matchLabels'),
      );
      expect(at(policy(objects, service), 'spec.policyTypes')).toEqual(['Ingress', 'Egress']);
    }
  });

  it('let anyone reach the client ports, nobody the ops port unless opsFrom names them', () => {
    const objects = render();
    expect(ingress(objects, 'ingest')).toEqual([{ ports: [{ port: 'http', protocol: 'TCP' }] }]);
    expect(ingress(objects, 'gateway')).toEqual([{ ports: [{ port: 'ws', protocol: 'TCP' }] }]);
    expect(ingress(objects, 'enrich')).toEqual([]);
    expect(ingress(objects, 'route')).toEqual([]);

    const scraped = render([], { networkPolicy: { opsFrom: PROMETHEUS } });
    for (const service of SERVICES) {
      const ops = ingress(scraped, service).filter((r) => ports([r]).includes('ops/TCP'));
      expect(ops).toEqual([{ ports: [{ port: 'ops', protocol: 'TCP' }], from: PROMETHEUS }]);
    }
    // enrich and route take no client traffic at all.
    expect(ports(ingress(scraped, 'enrich'))).toEqual(['ops/TCP']);
    expect(ports(ingress(scraped, 'route'))).toEqual(['ops/TCP']);
  });

  it('narrow the client ports to publicFrom when given', () => {
    const nginx = [
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } },
    ];
    const objects = render([], { networkPolicy: { publicFrom: nginx } });
    expect(ingress(objects, 'gateway')).toEqual([{ ports: [{ port: 'ws', protocol: 'TCP' }], from: nginx }]);
  });

  it('let out only DNS, the brokers’ ports, the OTLP collector and (gateway) the JWKS host', () => {
    const kafka = [{ ipBlock: { cidr: '10.20.0.0/16' } }];
    const objects = render([], {
      kafka: { brokers: ['b-1.kafka.example.com:9096', 'b-2.kafka.example.com:9096', 'bootstrap:9092'] },
      otel: { endpoint: 'http://otel-collector.observability.svc:4318' },
      gateway: {
        auth: { jwksUrl: 'https://id.example.com/.well-known/jwks.json', issuer: 'i', audience: 'a' },
      },
      networkPolicy: { kafka: { to: kafka, extraPorts: [9097] } },
    });
    const dns = {
      ports: [
        { port: 53, protocol: 'UDP' },
        { port: 53, protocol: 'TCP' },
      ],
      to: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
          podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        },
      ],
    };
    const brokers = {
      ports: [
        { port: 9096, protocol: 'TCP' },
        { port: 9092, protocol: 'TCP' },
        { port: 9097, protocol: 'TCP' },
      ],
      to: kafka,
    };
    const otlp = { ports: [{ port: 4318, protocol: 'TCP' }] };
    for (const service of ['ingest', 'enrich', 'route']) {
      expect(egress(objects, service)).toEqual([dns, brokers, otlp]);
    }
    expect(egress(objects, 'gateway')).toEqual([
      dns,
      brokers,
      otlp,
      { ports: [{ port: 443, protocol: 'TCP' }] },
    ]);
  });

  it('open no collector port with tracing off or the default (in-pod) endpoint, and add extraEgress', () => {
    const agent = { to: [{ ipBlock: { cidr: '169.254.0.0/16' } }], ports: [{ port: 4317, protocol: 'TCP' }] };
    for (const values of [{}, { otel: { enabled: false, endpoint: 'http://c:4318' } }]) {
      expect(ports(egress(render([], values), 'route'))).toEqual(['53/UDP', '53/TCP', '9092/TCP']);
    }
    const objects = render([], { networkPolicy: { extraEgress: [agent] } });
    expect(egress(objects, 'route').at(-1)).toEqual(agent);
  });

  it('are not rendered with networkPolicy.enabled false', () => {
    expect(ofKind(render([], { networkPolicy: { enabled: false } }), 'NetworkPolicy')).toEqual([]);
  });

  it('refuse a ServiceMonitor whose Prometheus they would shut out', () => {
    const r = helmTemplate([], { metrics: { serviceMonitor: { enabled: true } } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('networkPolicy.opsFrom: name the Prometheus pods');
  });
});

describe('the ops port on a Service of its own', () => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = render(['ci/production.yaml'], {
      ingest: { service: { type: 'LoadBalancer' } },
      gateway: { service: { type: 'LoadBalancer' } },
    });
  });

  it('keeps the client Services (what an Ingress or load balancer exposes) to the client port', () => {
    for (const [service, port] of [
      ['ingest', 'http'],
      ['gateway', 'ws'],
    ] as const) {
      const svc = find(objects, 'Service', nameOf(service));
      expect(at(svc, 'spec.type')).toBe('LoadBalancer');
      expect(at(svc, 'spec.ports').map((p: { name: string }) => p.name)).toEqual([port]);
      const backend = at(find(objects, 'Ingress', nameOf(service)), 'spec.rules')[0].http.paths[0].backend;
      expect(backend.service).toEqual({ name: nameOf(service), port: { name: port } });
    }
  });

  it('serves each service’s ops port on a ClusterIP `<name>-ops` Service, and nothing else', () => {
    for (const service of SERVICES) {
      const svc = find(objects, 'Service', `${nameOf(service)}-ops`);
      expect(at(svc, 'spec.type')).toBe('ClusterIP');
      expect(at(svc, 'spec.ports')).toEqual([
        { name: 'ops', port: expect.any(Number), targetPort: 'ops', protocol: 'TCP' },
      ]);
      expect(at(svc, 'spec.selector')).toEqual(
        at(find(objects, 'Deployment', nameOf(service)), 'spec.selector.matchLabels'),
      );
    }
    expect(
      ofKind(objects, 'Service')
        .map((s) => s.metadata.name)
        .sort(),
    ).toEqual([...SERVICES.map((s) => `${nameOf(s)}-ops`), nameOf('ingest'), nameOf('gateway')].sort());
  });

  it('is what the ServiceMonitor scrapes, with the job named after the service', () => {
    const sm = find(objects, 'ServiceMonitor', 'threadcast');
    const selector = at(sm, 'spec.selector');
    const selected = ofKind(objects, 'Service').filter((svc) => {
      const labels = at(svc, 'metadata.labels');
      return (
        Object.entries(selector.matchLabels).every(([k, v]) => labels[k] === v) &&
        selector.matchExpressions[0].values.includes(labels[selector.matchExpressions[0].key])
      );
    });
    expect(selected.map((s) => s.metadata.name).sort()).toEqual(
      SERVICES.map((s) => `${nameOf(s)}-ops`).sort(),
    );
    expect(at(sm, 'spec.endpoints')[0].relabelings).toEqual([
      {
        sourceLabels: ['__meta_kubernetes_service_label_app_kubernetes_io_component'],
        targetLabel: 'job',
        replacement: 'threadcast-$1',
      },
    ]);
  });
});

describe('checksum/references', () => {
  const checksums = (objects: K8sObject[]) =>
    Object.fromEntries(
      SERVICES.map((s) => [
        s,
        at(find(objects, 'Deployment', nameOf(s)), 'spec.template.metadata.annotations')[
          'checksum/references'
        ],
      ]),
    );
  const before = () => checksums(render(['ci/production.yaml']));

  it('is on every service’s pods, and the same on every render of the same values', () => {
    const a = before();
    for (const s of SERVICES) expect(a[s]).toMatch(/^[0-9a-f]{64}$/);
    expect(before()).toEqual(a);
  });

  it('changes on every pod when global.secretsRevision is bumped after a rotation', () => {
    const a = before();
    const b = checksums(render(['ci/production.yaml'], { global: { secretsRevision: '2026-05-01' } }));
    for (const s of SERVICES) expect(b[s]).not.toBe(a[s]);
  });

  it('changes only for the pods that read a Secret when another Secret is named', () => {
    const a = before();
    const b = checksums(
      render(['ci/production.yaml'], {
        gateway: { auth: { existingSecret: 'threadcast-gateway-jwt-v2' } },
        enrich: {
          env: [{ name: 'ENRICH_X', valueFrom: { secretKeyRef: { name: 'enrich-extra', key: 'x' } } }],
        },
      }),
    );
    expect(b.gateway).not.toBe(a.gateway);
    expect(b.enrich).not.toBe(a.enrich);
    expect(b.ingest).toBe(a.ingest);
    expect(b.route).toBe(a.route);
  });

  it('changes on every pod when the Kafka client certificate comes from another Secret', () => {
    const a = checksums(render(['ci/mtls.yaml']));
    const b = checksums(render(['ci/mtls.yaml'], { kafka: { tls: { clientCertSecret: 'threadcast-v2' } } }));
    for (const s of SERVICES) expect(b[s]).not.toBe(a[s]);
  });
});

describe('the gateway’s token issuer and audience', () => {
  it.each([
    [
      'a signing Secret without an issuer',
      { gateway: { auth: { existingSecret: 'jwt' } } },
      'gateway.auth.issuer: the gateway checks tokens',
    ],
    [
      'a JWKS URL with an issuer but no audience',
      { gateway: { auth: { jwksUrl: 'https://id.example.com/jwks', issuer: 'https://id.example.com/' } } },
      'gateway.auth.audience: the gateway checks tokens',
    ],
    [
      'GATEWAY_JWT_SECRET given through gateway.env',
      {
        gateway: {
          env: [{ name: 'GATEWAY_JWT_SECRET', valueFrom: { secretKeyRef: { name: 'jwt', key: 'k' } } }],
        },
      },
      'gateway.auth.issuer: the gateway checks tokens',
    ],
    [
      'an empty GATEWAY_JWT_ISSUER in the config map',
      { gateway: { auth: { existingSecret: 'jwt', audience: 'a' }, config: { GATEWAY_JWT_ISSUER: '' } } },
      'gateway.auth.issuer',
    ],
  ])('refuses %s', (_what, values, message) => {
    const r = helmTemplate([], values);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(message);
  });

  it('sets GATEWAY_JWT_ISSUER and GATEWAY_JWT_AUDIENCE from gateway.auth', () => {
    const objects = render(['ci/production.yaml']);
    const env = environment(objects, find(objects, 'Deployment', nameOf('gateway')));
    expect(env.get('GATEWAY_JWT_ISSUER')).toBe('https://id.example.com/');
    expect(env.get('GATEWAY_JWT_AUDIENCE')).toBe('comments');
  });

  it('takes them from the config map, or waived explicitly, or not at all when no token is checked', () => {
    const fromConfig = render([], {
      gateway: {
        auth: { existingSecret: 'jwt' },
        config: { GATEWAY_JWT_ISSUER: 'i', GATEWAY_JWT_AUDIENCE: 'a' },
      },
    });
    expect(
      environment(fromConfig, find(fromConfig, 'Deployment', nameOf('gateway'))).get('GATEWAY_JWT_ISSUER'),
    ).toBe('i');
    const waived = render([], {
      gateway: { auth: { existingSecret: 'jwt', allowAnyIssuer: true, allowAnyAudience: true } },
    });
    const env = environment(waived, find(waived, 'Deployment', nameOf('gateway')));
    expect(env.has('GATEWAY_JWT_ISSUER')).toBe(false);
    expect(env.has('GATEWAY_JWT_AUDIENCE')).toBe(false);
    expect(ofKind(render(), 'Deployment')).toHaveLength(4);
  });
});

describe('locked down (ci/locked-down.yaml)', () => {
  it('narrows every peer as its values say, and keeps the JWKS egress to the gateway', () => {
    const objects = render(['ci/locked-down.yaml']);
    expect(at(ingress(objects, 'ingest')[0], 'from')).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } },
    ]);
    for (const service of SERVICES) {
      const rules = egress(objects, service);
      expect(rules[0]).toEqual({
        ports: [
          { port: 53, protocol: 'UDP' },
          { port: 53, protocol: 'TCP' },
        ],
        to: [{ ipBlock: { cidr: '169.254.20.10/32' } }],
      });
      expect(ports(rules)).toContain('4317/TCP');
      expect(ports(rules).includes('443/TCP')).toBe(service === 'gateway');
    }
    expect(egress(objects, 'gateway').find((r) => ports([r]).includes('443/TCP'))?.to).toEqual([
      { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } },
    ]);
  });
});
